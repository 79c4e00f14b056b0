import Foundation

/// The exact request an outbound message is sent as, kept so that every retry resends the same
/// bytes with the same Message-ID and Date (requirements R-RS-1), and the MIC the MDN must match.
public struct BuiltMessage: Codable, Sendable, Hashable {
    /// File holding the HTTP body byte for byte.
    public var bodyPath: String
    /// HTTP headers of the request, in order.
    public var headers: [HeaderField]
    /// MIC per algorithm name, base64: `["sha256": "…", "sha1": "…"]` (R-MICALG-3).
    public var micDigests: [String: String]
    /// The `Date` header value sent.
    public var dateHeader: String

    public init(bodyPath: String, headers: [HeaderField], micDigests: [String: String], dateHeader: String) {
        self.bodyPath = bodyPath
        self.headers = headers
        self.micDigests = micDigests
        self.dateHeader = dateHeader
    }
}
