import NIOCore
import NIOHTTP1
import Synchronization

/// Closes a kept-alive client connection on which anything arrives between exchanges (a late `408`,
/// which the decoder reports as an unsolicited response, or garbage), so that it is never read as
/// the answer to the next request.
final class HTTPClientIdleGuard: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    private let idle = Atomic(false)

    /// Set after a complete exchange, cleared before the next request is written.
    func setIdle(_ value: Bool) { idle.store(value, ordering: .sequentiallyConsistent) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if idle.load(ordering: .sequentiallyConsistent) {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if idle.load(ordering: .sequentiallyConsistent) {
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}
