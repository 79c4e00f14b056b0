import NIOHTTP1

/// What a request head says about its body and connection: declared length, chunking,
/// `Expect: 100-continue`, keep-alive.
struct RequestFraming {
    /// The declared Content-Length (nil when absent, chunked, or unparsable; the decoder rejects
    /// conflicting or invalid framing itself).
    let contentLength: Int?
    let isChunked: Bool
    let expectsContinue: Bool
    let keepAlive: Bool
    /// HTTP/1.1 or later: 1xx interim responses may be sent.
    let allowsInterimResponses: Bool
    /// An HTTP/1.0 client asked for keep-alive, which then must be confirmed.
    let needsKeepAliveHeader: Bool

    init(_ head: NIOHTTP1.HTTPRequestHead) {
        let isChunked = head.headers["transfer-encoding"].contains { HTTPHeaderFields.listContains($0, token: "chunked") }
        self.isChunked = isChunked
        self.contentLength = isChunked ? nil : head.headers["content-length"].first.flatMap { Int($0.trimmingHTTPWhitespace()) }
        let isHTTP11 = head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
        self.allowsInterimResponses = isHTTP11
        self.expectsContinue = isHTTP11 && head.headers["expect"].contains { HTTPHeaderFields.listContains($0, token: "100-continue") }
        self.keepAlive = head.isKeepAlive
        self.needsKeepAliveHeader = !isHTTP11 && head.isKeepAlive
    }
}
