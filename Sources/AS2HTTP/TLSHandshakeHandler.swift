import NIOCore
import NIOTLS

/// Completes a promise when the TLS handshake finishes (or fails), so the client sends nothing
/// before the server is authenticated and the connect timeout covers the handshake.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// The connection closed before the handshake completed.
    struct ClosedDuringHandshake: Error {}

    private let completed: EventLoopPromise<Void>
    private var done = false

    init(completed: EventLoopPromise<Void>) {
        self.completed = completed
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, !done {
            done = true
            completed.succeed()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !done {
            done = true
            completed.fail(error)
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            completed.fail(ClosedDuringHandshake())
        }
        context.fireChannelInactive()
    }
}
