/// The `file` object of a sidecar: the document as it sits beside the sidecar.
public struct SidecarFile: Codable, Sendable, Hashable {
    /// The document's name in its folder (after collision suffixes).
    public var name: String
    /// The name the document had in the outbox, or the partner supplied (before sanitizing).
    public var originalName: String
    public var size: Int
    /// Lowercase hex SHA-256 of the document's bytes.
    public var sha256: String

    public init(name: String, originalName: String, size: Int, sha256: String) {
        self.name = name
        self.originalName = originalName
        self.size = size
        self.sha256 = sha256
    }

    /// As `SidecarCoding` encodes it (`SidecarJSON`).
    var json: SidecarJSON {
        .object([
            ("name", .string(name)), ("original_name", .string(originalName)), ("size", .int(size)),
            ("sha256", .string(sha256)),
        ])
    }

    enum CodingKeys: String, CodingKey {
        case name, size, sha256
        case originalName = "original_name"
    }
}
