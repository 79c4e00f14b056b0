import AS2Bytes

/// One request for `HTTPClient.execute`: where, what, and the limits that bound the exchange.
public struct HTTPClientRequest: Sendable {
    /// Absolute `http://` or `https://` URL.
    public var url: String
    public var method: String
    /// Header fields sent as given, in order (after Host and User-Agent unless those are given here).
    /// Content-Length and Transfer-Encoding are set from `body` and `useChunkedEncoding`.
    /// With `Expect: 100-continue` the body waits for `100 Continue` (or `expectContinueTimeout`).
    public var headers: [(String, String)]
    /// Streamed in chunks, never loaded whole.
    public var body: any ByteSource
    /// Send `Transfer-Encoding: chunked` instead of Content-Length (some receivers refuse it, R-HTTP-3).
    public var useChunkedEncoding: Bool
    public var tls: TLSClientSettings
    /// Sent as `Authorization: Basic …` (RFC 7617).
    public var basicAuth: (user: String, password: String)?
    /// `http://[user:password@]host:port` of an HTTP proxy; https URLs are tunnelled with CONNECT.
    public var proxy: String?
    /// Time allowed to connect, including proxy CONNECT and the TLS handshake.
    public var connectTimeout: Duration
    /// Time allowed for the whole response once the body is sent; while sending, the longest the
    /// server may stall taking the body. Sync MDNs can take minutes (R-ST-3).
    public var readTimeout: Duration
    /// How long a request with `Expect: 100-continue` waits for `100 Continue` before sending anyway.
    public var expectContinueTimeout: Duration
    /// Largest response body accepted.
    public var maxResponseBodySize: Int
    /// Response bodies larger than this go to a temporary file in `responseSpoolDirectory`.
    public var responseSpoolThreshold: Int
    public var responseSpoolDirectory: String

    public init(
        url: String, method: String = "POST", headers: [(String, String)] = [], body: any ByteSource = MemoryByteSource([]),
        useChunkedEncoding: Bool = false, tls: TLSClientSettings = TLSClientSettings(),
        basicAuth: (user: String, password: String)? = nil, proxy: String? = nil,
        connectTimeout: Duration = .seconds(30), readTimeout: Duration = .seconds(300),
        expectContinueTimeout: Duration = .seconds(2), maxResponseBodySize: Int = 64 * 1024 * 1024,
        responseSpoolThreshold: Int = 1024 * 1024, responseSpoolDirectory: String = "/tmp"
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.useChunkedEncoding = useChunkedEncoding
        self.tls = tls
        self.basicAuth = basicAuth
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.expectContinueTimeout = expectContinueTimeout
        self.maxResponseBodySize = maxResponseBodySize
        self.responseSpoolThreshold = responseSpoolThreshold
        self.responseSpoolDirectory = responseSpoolDirectory
    }
}
