import Logging
import NIOCore
import NIOHTTP1

/// Closes a server connection whose peer is too slow: no request head within the idle timeout, a
/// body not received within the body deadline, a response not taken within the write deadline, or
/// input still arriving after an early response (linger). Timer policy: `HTTPServerTimeoutStateMachine`.
final class HTTPServerTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Timeouts {
        var idle: TimeAmount
        var body: TimeAmount
        var write: TimeAmount
        var linger: TimeAmount
    }

    private var machine = HTTPServerTimeoutStateMachine()
    private var scheduled: Scheduled<Void>?
    private let timeouts: Timeouts
    private let logger: Logger

    init(timeouts: Timeouts, logger: Logger) {
        self.timeouts = timeouts
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { perform(machine.connectionActive(), context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        perform(machine.connectionActive(), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(machine.connectionClosed(), context: context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: perform(machine.requestHeadReceived(), context: context)
        case .body: break
        case .end: perform(machine.requestEndReceived(), context: context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200:
            perform(machine.responseHeadWritten(), context: context)
        case .head, .body: break
        case .end: perform(machine.responseEndWritten(), context: context)
        }
        context.write(data, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .output { perform(machine.outputClosedWritten(), context: context) }
        context.close(mode: mode, promise: promise)
    }

    private func perform(_ action: HTTPServerTimeoutStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            return
        case .cancel:
            scheduled?.cancel()
            scheduled = nil
        case .start(let timer):
            scheduled?.cancel()
            let generation = machine.generation
            scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: amount(timer)) { [self] in
                perform(machine.timerExpired(generation: generation), context: context)
            }
        case .close(let timer):
            scheduled = nil
            logger.info(
                "closing connection: timeout",
                metadata: ["http.timeout": "\(timer)", "http.remote": "\(context.channel.remoteAddress?.description ?? "?")"]
            )
            context.close(promise: nil)
        }
    }

    private func amount(_ timer: HTTPServerTimeoutStateMachine.Timer) -> TimeAmount {
        switch timer {
        case .idle: return timeouts.idle
        case .body: return timeouts.body
        case .write: return timeouts.write
        case .linger: return timeouts.linger
        }
    }
}
