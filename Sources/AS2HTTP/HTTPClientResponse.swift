import AS2Bytes

/// The final response to a request (interim 1xx responses are skipped).
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// Header fields in received order, as sent.
    public var headers: [(String, String)]
    /// In memory below the spool threshold, otherwise a `SpooledByteSource`.
    public var body: any ByteSource

    public init(status: Int, headers: [(String, String)], body: any ByteSource) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Values of the header fields named `name` (case-insensitive), in order.
    public func values(of name: String) -> [String] { HTTPHeaderFields.values(of: name, in: headers) }

    /// The first value of the header field `name` (case-insensitive).
    public func value(of name: String) -> String? { values(of: name).first }
}
