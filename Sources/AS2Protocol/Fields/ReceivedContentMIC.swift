import AS2Crypto
import AS2MIME

/// The Received-Content-MIC field of an MDN (RFC 4130 §7.4.3; requirements §3.5):
/// `<base64 digest>, <algorithm>`. Compared by decoded digest and normalised algorithm name.
public struct ReceivedContentMIC: Sendable, Equatable, CustomStringConvertible {
    public let digest: [UInt8]
    /// The algorithm name as received or as it will be sent (e.g. `sha-256`, `sha1`).
    public let algorithmName: String
    /// The digest algorithm the name stands for, or nil for a name we do not know.
    public var algorithm: DigestAlgorithm? { DigestAlgorithm(micalg: algorithmName) }

    /// A MIC to send; `name` defaults to the RFC 5751 spelling (echo the partner's spelling here).
    public init(digest: [UInt8], algorithm: DigestAlgorithm, name: String? = nil) {
        self.digest = digest
        self.algorithmName = name ?? algorithm.micalgName
    }

    /// Parses a received value (R-MICFMT-2): unfolded, split at the first comma, both halves
    /// trimmed, the digest base64-decoded strictly. Sterling's `…=,sha1` is accepted.
    public init(parsing value: String) throws {
        let unfolded = FieldText.unfold(value)
        guard let comma = unfolded.firstIndex(of: ",") else {
            throw AS2FieldError(.invalidReceivedContentMIC, "Received-Content-MIC \"\(value)\" has no \",\" before the algorithm")
        }
        let b64 = FieldText.trim(unfolded[..<comma])
        let name = FieldText.trim(unfolded[unfolded.index(after: comma)...])
        guard !b64.isEmpty else {
            throw AS2FieldError(.invalidReceivedContentMIC, "Received-Content-MIC \"\(value)\" has no digest")
        }
        guard !name.isEmpty else {
            throw AS2FieldError(.invalidReceivedContentMIC, "Received-Content-MIC \"\(value)\" has no algorithm")
        }
        do {
            digest = try TransferEncoding.decodeBase64(b64)
        } catch let e as MIMEError {
            throw AS2FieldError(.invalidReceivedContentMIC, "Received-Content-MIC digest is not valid base64: \(e.message)")
        }
        algorithmName = name
    }

    /// `<base64>, <algorithm>`: one line, one comma and one space (R-MICFMT-1).
    public var headerValue: String { TransferEncoding.encodeBase64(digest, lineLength: nil) + ", " + algorithmName }

    public var description: String { headerValue }

    /// Same digest bytes and the same algorithm once names are normalised (R-MICFMT-3):
    /// `sha1` matches `SHA-1` and `rsa-sha1`.
    public func matches(_ other: ReceivedContentMIC) -> Bool {
        guard digest == other.digest else { return false }
        if let a = algorithm, let b = other.algorithm { return a == b }
        return DigestAlgorithm.normalizedMICAlgorithmName(algorithmName)
            == DigestAlgorithm.normalizedMICAlgorithmName(other.algorithmName)
    }

    /// Equality is `matches`.
    public static func == (a: ReceivedContentMIC, b: ReceivedContentMIC) -> Bool { a.matches(b) }
}
