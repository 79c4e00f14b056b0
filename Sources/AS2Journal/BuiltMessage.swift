import Foundation

/// The exact request an outbound message is sent as, kept so that every retry resends the same
/// bytes with the same Message-ID and Date (requirements R-RS-1), and the MIC the MDN must match.
public struct BuiltMessage: Codable, Sendable, Hashable {
    /// File holding the HTTP body byte for byte (when `body` is nil).
    public var bodyPath: String
    /// The HTTP body itself, kept in the journal row for small messages; nil when it is in `bodyPath`.
    public var body: [UInt8]?
    /// HTTP headers of the request, in order.
    public var headers: [HeaderField]
    /// MIC per algorithm name, base64: `["sha256": "…", "sha1": "…"]` (R-MICALG-3).
    public var micDigests: [String: String]
    /// The `Date` header value sent.
    public var dateHeader: String

    public init(bodyPath: String, body: [UInt8]? = nil, headers: [HeaderField], micDigests: [String: String], dateHeader: String) {
        self.bodyPath = bodyPath
        self.body = body
        self.headers = headers
        self.micDigests = micDigests
        self.dateHeader = dateHeader
    }
}
