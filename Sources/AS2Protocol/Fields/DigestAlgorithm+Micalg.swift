import AS2Crypto

/// The names by which a digest appears in `micalg`, DNO `signed-receipt-micalg` and
/// Received-Content-MIC (requirements §3.6, R-MICFMT-3, R-DNO-7).
extension DigestAlgorithm {
    /// Recognises every spelling seen in the wild: `sha-256`, `sha256`, `SHA256`, `sha_256`,
    /// `sha2_256`, `rsa-sha1`, `md5`, `rsa-md5`, optionally quoted. Nil for unknown names
    /// (including SHA-3, which we do not implement).
    public init?(micalg: String) {
        switch Self.normalizedMICAlgorithmName(micalg) {
        case "md5": self = .md5
        case "sha1": self = .sha1
        case "sha224", "sha2224": self = .sha224
        case "sha256", "sha2256": self = .sha256
        case "sha384", "sha2384": self = .sha384
        case "sha512", "sha2512": self = .sha512
        default: return nil
        }
    }

    /// RFC 5751 spelling, sent by default: `md5`, `sha-1`, `sha-224`, `sha-256`, `sha-384`, `sha-512`.
    public var micalgName: String {
        switch self {
        case .md5: return "md5"
        case .sha1: return "sha-1"
        case .sha224: return "sha-224"
        case .sha256: return "sha-256"
        case .sha384: return "sha-384"
        case .sha512: return "sha-512"
        }
    }

    /// RFC 3851 / RFC 4130 spelling for partners that accept only it: `sha1`, `sha256`, ….
    public var legacyMicalgName: String { rawValue }

    /// A name reduced for comparison (R-MICFMT-3): trimmed, unquoted, lowercased, `-` and `_`
    /// removed, an `rsa` prefix dropped. `SHA-1`, `sha_1` and `rsa-sha1` all become `sha1`.
    public static func normalizedMICAlgorithmName(_ name: String) -> String {
        var s = name.lowercased().unicodeScalars.filter { $0 != "-" && $0 != "_" && $0 != " " && $0 != "\t" && $0 != "\"" }
            .map(Character.init)
        if s.starts(with: "rsa") { s.removeFirst(3) }
        return String(s)
    }
}
