import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server that counts the connections it accepts and closes, and records each
/// request body it answered, with scripted keep-alive behaviour.
final class KeepAliveTestServer: Sendable {
    enum Mode: Sendable {
        /// Answers every request and keeps the connection open.
        case keepAlive
        /// Answers with `Connection: close` and closes.
        case connectionClose
        /// Answers as HTTP/1.0 without keep-alive and closes.
        case http10
        /// Answers the first request of a connection; closes on the head of the second without a
        /// byte of response (a server closing a connection it considered idle).
        case dropSecondRequest
        /// Closes every connection on its first request head, without a byte of response.
        case dropEveryRequest
        /// Answers, then a moment later sends an unsolicited `408` and keeps the connection open.
        case unsolicited408
    }

    struct Counts: Sendable {
        var accepted = 0
        var closed = 0
        var bodies: [String] = []
    }

    let channel: any Channel
    private let recorder: Recorder

    var port: Int { channel.localAddress?.port ?? 0 }
    var snapshot: Counts { recorder.counts.withLock { $0 } }

    private init(channel: any Channel, recorder: Recorder) {
        self.channel = channel
        self.recorder = recorder
    }

    static func start(_ mode: Mode) async throws -> KeepAliveTestServer {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                recorder.counts.withLock { $0.accepted += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: false, withErrorHandling: false
                    )
                    try channel.pipeline.syncOperations.addHandler(Responder(mode: mode, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return KeepAliveTestServer(channel: channel, recorder: recorder)
    }

    func close() async { try? await channel.close() }

    final class Recorder: Sendable {
        let counts = Mutex(Counts())
    }
}

private final class Responder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let mode: KeepAliveTestServer.Mode
    let recorder: KeepAliveTestServer.Recorder
    private var requests = 0
    private var body: [UInt8] = []
    private var dropping = false

    init(mode: KeepAliveTestServer.Mode, recorder: KeepAliveTestServer.Recorder) {
        self.mode = mode
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requests += 1
            body = []
            if mode == .dropEveryRequest || (mode == .dropSecondRequest && requests > 1) {
                dropping = true
                context.close(promise: nil)
            }
        case .body(let buffer):
            body += buffer.readableBytesView
        case .end:
            guard !dropping else { return }
            let text = String(decoding: body, as: UTF8.self)
            recorder.counts.withLock { $0.bodies.append(text) }
            respond(context: context, text: text)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        recorder.counts.withLock { $0.closed += 1 }
        context.fireChannelInactive()
    }

    private func respond(context: ChannelHandlerContext, text: String) {
        var headers = HTTPHeaders([("Content-Length", "\(text.utf8.count)")])
        let closes = mode == .connectionClose || mode == .http10
        if mode == .connectionClose { headers.add(name: "Connection", value: "close") }
        let version: HTTPVersion = mode == .http10 ? .http1_0 : .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        let channel = context.channel
        if closes {
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        } else if mode == .unsolicited408 {
            channel.eventLoop.scheduleTask(in: .milliseconds(50)) {
                let head = HTTPResponseHead(
                    version: .http1_1, status: .requestTimeout, headers: ["Content-Length": "0"]
                )
                channel.write(HTTPServerResponsePart.head(head), promise: nil)
                // Left open: only the client can tell that this is no answer to its next request.
                channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
            }
        }
    }
}
