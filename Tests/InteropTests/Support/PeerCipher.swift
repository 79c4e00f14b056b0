/// Content encryption, in pyas2lib's names. pyas2lib (`build`) supports the CBC ones and 3DES;
/// GCM needs `buildRaw` (AuthEnvelopedData, which pyas2lib cannot decrypt).
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
