/// Algorithm names as the peers spell them (pyas2lib's names; the openssl CLI's for build_raw).

/// Digest for signatures, MICs and signed MDNs.
public enum PeerDigest: String, Codable, Sendable, CaseIterable {
    case sha1, sha224, sha256, sha384, sha512
}

/// Content encryption. pyas2lib (`build`) supports the CBC ones and 3DES; GCM needs `buildRaw`
/// (AuthEnvelopedData, which pyas2lib cannot decrypt).
public enum PeerCipher: String, Codable, Sendable, CaseIterable {
    case tripleDES = "tripledes_192_cbc"
    case aes128CBC = "aes_128_cbc"
    case aes192CBC = "aes_192_cbc"
    case aes256CBC = "aes_256_cbc"
    case aes128GCM = "aes_128_gcm"
    case aes256GCM = "aes_256_gcm"

    /// True for the ciphers pyas2lib 1.4.4 can build and parse.
    public var isPyAS2LibSupported: Bool { self != .aes128GCM && self != .aes256GCM }
}

/// How the requested MDN travels back.
public enum PeerMDNMode: String, Codable, Sendable {
    case sync, async
}

/// RSA signature scheme.
public enum PeerSignatureScheme: String, Codable, Sendable {
    case pkcs1v15 = "rsassa_pkcs1v15"
    case pss = "rsassa_pss"
}

/// RSA key transport for the content-encryption key.
public enum PeerKeyEncryption: String, Codable, Sendable {
    case pkcs1v15 = "rsaes_pkcs1v15"
    case oaep = "rsaes_oaep"
}
