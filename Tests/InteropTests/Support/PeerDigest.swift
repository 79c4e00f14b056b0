/// Digest for signatures, MICs and signed MDNs, in pyas2lib's names.
public enum PeerDigest: String, Codable, Sendable, CaseIterable {
    case sha1, sha224, sha256, sha384, sha512
}
