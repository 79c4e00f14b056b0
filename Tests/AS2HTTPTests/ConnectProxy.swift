import NIOCore
import NIOPosix
import Synchronization

/// A minimal HTTP CONNECT proxy for tests: records each CONNECT line with its Proxy-Authorization,
/// then relays bytes both ways (or answers 403 when told to refuse).
final class ConnectProxy: Sendable {
    let channel: any Channel
    private let log: Mutex<[String]>
    var port: Int { channel.localAddress?.port ?? 0 }
    var requests: [String] { log.withLock { $0 } }

    private init(channel: any Channel) {
        self.channel = channel
        self.log = Mutex([])
    }

    static func start(refuse: Bool = false) async throws -> ConnectProxy {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ProxyFrontHandler(refuse: refuse, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let proxy = ConnectProxy(channel: channel)
        recorder.sink.withLock { $0 = { line in proxy.log.withLock { $0.append(line) } } }
        return proxy
    }

    func close() async { try? await channel.close() }

    final class Recorder: Sendable {
        let sink = Mutex<(@Sendable (String) -> Void)?>(nil)
        func record(_ line: String) { sink.withLock { $0 }?(line) }
    }
}

/// Reads the CONNECT head, dials the target, answers 200 and glues the two connections.
private final class ProxyFrontHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let refuse: Bool
    private let recorder: ConnectProxy.Recorder
    private var received = ByteBuffer()
    private var connecting = false

    init(refuse: Bool, recorder: ConnectProxy.Recorder) {
        self.refuse = refuse
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        guard !connecting, let text = received.getString(at: received.readerIndex, length: received.readableBytes),
            let end = text.range(of: "\r\n\r\n")
        else { return }
        connecting = true
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let auth = lines.first { $0.lowercased().hasPrefix("proxy-authorization:") }.map { String($0.dropFirst(20)).trimmingCharacters(in: .whitespaces) } ?? ""
        recorder.record("\(lines[0])|\(auth)")
        let parts = lines[0].split(separator: " ")
        guard !refuse, parts.count == 3, parts[0] == "CONNECT", let colon = parts[1].lastIndex(of: ":"),
            let port = Int(parts[1][parts[1].index(after: colon)...])
        else {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")), promise: nil)
            context.close(promise: nil)
            return
        }
        let host = String(parts[1][..<colon])
        let front = context.channel
        ClientBootstrap(group: context.eventLoop).connect(host: host, port: port).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let back):
                let (a, b) = GlueHandler.pair()
                do {
                    try back.pipeline.syncOperations.addHandler(b)
                    try front.pipeline.syncOperations.addHandler(a)
                    context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection Established\r\n\r\n")), promise: nil)
                    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                } catch {
                    front.close(promise: nil)
                    back.close(promise: nil)
                }
            case .failure:
                context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")), promise: nil)
                context.close(promise: nil)
            }
        }
    }
}

/// Forwards bytes between two channels on the same event loop; closing one closes the other.
private final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?

    static func pair() -> (GlueHandler, GlueHandler) {
        let a = GlueHandler()
        let b = GlueHandler()
        a.partner = b
        b.partner = a
        return (a, b)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.context?.writeAndFlush(data, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
