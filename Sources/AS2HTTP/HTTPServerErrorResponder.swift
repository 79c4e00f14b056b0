import Logging
import NIOCore
import NIOHTTP1

/// Turns a request that cannot be parsed into a final response and a closed connection: header
/// limits exceeded → 431, any other framing error → 400 (requirements R-HTTP-6, §1.7). The output is
/// half-closed first so the client can read the response before the connection goes away.
final class HTTPServerErrorResponder: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseInProgress = false
    private var failed = false
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responseInProgress = true
        case .head, .body: break
        case .end: responseInProgress = false
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if failed { return }  // bytes after the first error only repeat it
        failed = true
        let status = Self.status(for: error)
        let metadata: Logger.Metadata = [
            "http.remote": "\(context.channel.remoteAddress?.description ?? "?")", "http.error": "\(error)",
        ]
        if let status {
            logger.info("rejecting malformed request", metadata: metadata.merging(["http.status": "\(status.code)"]) { $1 })
        } else if error is IOError {
            logger.debug("connection failed", metadata: metadata)
        } else {
            logger.info("connection failed", metadata: metadata)
        }
        if let status, !responseInProgress {
            let text = "\(status.code) \(status.reasonPhrase)\r\n"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain")
            headers.add(name: "Content-Length", value: String(text.utf8.count))
            headers.add(name: "Connection", value: "close")
            let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            let closed = context.eventLoop.makePromise(of: Void.self)
            context.close(mode: .output, promise: closed)
            closed.futureResult.assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
        context.fireErrorCaught(error)
    }

    /// The response for a decoding error, or nil when the connection can only be closed.
    static func status(for error: Error) -> HTTPResponseStatus? {
        guard let parserError = error as? HTTPParserError else { return nil }
        switch parserError {
        case .headerOverflow: return .requestHeaderFieldsTooLarge
        default: return .badRequest
        }
    }
}
