import AS2Bytes

/// The application side of the server: first a decision on the head, then the whole request.
/// Both run off the event loop, so they may do disk, crypto and database work.
public protocol HTTPRequestHandler: Sendable {
    /// Called after the head, before any body is read: reject early (401/403/404/405/413…) or accept
    /// with a body limit. With `Expect: 100-continue`, `100 Continue` is sent only after acceptance.
    func decide(head: HTTPRequestHead) async -> HTTPBodyDecision

    /// Called once the whole body has arrived within its limit. `body` is in memory below the spool
    /// threshold, otherwise a `SpooledByteSource` whose file lives as long as the source.
    /// Incomplete, oversized or timed-out bodies never reach this method.
    func handle(head: HTTPRequestHead, body: any ByteSource) async -> HTTPResponse
}
