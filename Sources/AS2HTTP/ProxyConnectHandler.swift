import NIOCore

/// Opens a tunnel through an HTTP proxy: sends `CONNECT host:port`, reads the proxy's response head,
/// and on a 2xx removes itself so TLS can start over the tunnel (RFC 9110 §9.3.6).
final class ProxyConnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The proxy answered CONNECT with something other than 2xx, or not with HTTP.
    struct Refused: Error, CustomStringConvertible {
        let statusLine: String
        var description: String { "proxy refused CONNECT: \(statusLine)" }
    }

    /// A response head larger than this is not a proxy's answer.
    static let maxHeadSize = 16 * 1024

    private let target: String
    private let proxyAuthorization: String?
    private let established: EventLoopPromise<Void>
    private var received = ByteBuffer()
    private var done = false

    init(target: String, proxyAuthorization: String?, established: EventLoopPromise<Void>) {
        self.target = target
        self.proxyAuthorization = proxyAuthorization
        self.established = established
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendConnect(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendConnect(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        let bytes = received.readableBytesView
        guard let end = Self.headEnd(in: bytes) else {
            if received.readableBytes > Self.maxHeadSize { fail(Refused(statusLine: "response head too large"), context: context) }
            return
        }
        let statusLine = String(decoding: bytes[bytes.startIndex...].prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let fields = statusLine.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), let status = Int(fields[1]), (200..<300).contains(status) else {
            return fail(Refused(statusLine: statusLine), context: context)
        }
        done = true
        received.moveReaderIndex(to: end)
        let leftover = received
        established.succeed()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        if leftover.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(leftover)) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            established.fail(Refused(statusLine: "connection closed by the proxy"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(error, context: context)
    }

    private func sendConnect(context: ChannelHandlerContext) {
        var request = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let proxyAuthorization { request += "Proxy-Authorization: \(proxyAuthorization)\r\n" }
        request += "\r\n"
        context.writeAndFlush(NIOAny(ByteBuffer(string: request)), promise: nil)
    }

    private func fail(_ error: Error, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        established.fail(error)
        context.close(promise: nil)
    }

    /// Index just past the CRLFCRLF that ends the head, if present.
    static func headEnd(in bytes: ByteBufferView) -> Int? {
        let pattern: [UInt8] = [13, 10, 13, 10]
        var matched = 0
        for index in bytes.indices {
            matched = bytes[index] == pattern[matched] ? matched + 1 : (bytes[index] == 13 ? 1 : 0)
            if matched == 4 { return index + 1 }
        }
        return nil
    }
}
