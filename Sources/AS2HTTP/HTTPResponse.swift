import AS2Bytes

/// A final response from a handler. The server always frames it with Content-Length (streaming the
/// body from its source) and adds Date unless present.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields in order. Content-Length, Transfer-Encoding and Connection are set by the server.
    public var headers: [(String, String)]
    public var body: (any ByteSource)?
    /// Close the connection after this response (otherwise it is kept alive when the client allows).
    public var closeConnection: Bool

    public init(status: Int, headers: [(String, String)] = [], body: (any ByteSource)? = nil, closeConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// A short text/plain response, e.g. for errors.
    public static func text(
        _ status: Int, _ text: String, headers: [(String, String)] = [], closeConnection: Bool = false
    ) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers,
            body: MemoryByteSource(text), closeConnection: closeConnection
        )
    }
}
