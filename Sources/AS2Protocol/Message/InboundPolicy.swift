import AS2Crypto

/// What a partner's inbound messages must satisfy (R-ALG-1, DESIGN.md §6). Defaults are strict:
/// signed and encrypted, SHA-256 and AES-128 or better.
public struct InboundPolicy: Sendable {
    public var requireSignature: Bool
    public var requireEncryption: Bool
    public var minimumSignatureDigest: DigestAlgorithm
    public var minimumEncryption: ContentEncryptionAlgorithm
    /// Accept signatures by a partner certificate outside its validity period (R-CERT-5 grace switch).
    public var allowExpiredCertificate: Bool
    public var maxDecompressedBytes: Int
    public var maxCompressionRatio: Int
    /// Nesting limit of pkcs7-mime / multipart layers (R-STR-3).
    public var maxDepth: Int
    /// Content type given to decrypted content that has no MIME headers (R-STR-4).
    public var defaultContentType: String

    public init(
        requireSignature: Bool = true, requireEncryption: Bool = true,
        minimumSignatureDigest: DigestAlgorithm = .sha256, minimumEncryption: ContentEncryptionAlgorithm = .aes128CBC,
        allowExpiredCertificate: Bool = false, maxDecompressedBytes: Int = 2 << 30, maxCompressionRatio: Int = 200,
        maxDepth: Int = 6, defaultContentType: String = "application/edi-consent"
    ) {
        self.requireSignature = requireSignature
        self.requireEncryption = requireEncryption
        self.minimumSignatureDigest = minimumSignatureDigest
        self.minimumEncryption = minimumEncryption
        self.allowExpiredCertificate = allowExpiredCertificate
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.maxDepth = maxDepth
        self.defaultContentType = defaultContentType
    }

    /// Accepts whatever verifies: the policy `inspect` uses by default.
    public static let permissive = InboundPolicy(
        requireSignature: false, requireEncryption: false, minimumSignatureDigest: .md5, minimumEncryption: .rc2_40CBC
    )
}

/// Our keys and the partner's certificates for one inbound message.
public struct InboundSecurity: Sendable {
    /// Our decryption identities: the current one first, then rollover keys (R-CERT-3).
    public var decryptionIdentities: [Identity]
    /// Certificates that may verify the partner's signatures (never the one embedded in a message).
    public var partnerCertificates: [Certificate]

    public init(decryptionIdentities: [Identity], partnerCertificates: [Certificate]) {
        self.decryptionIdentities = decryptionIdentities
        self.partnerCertificates = partnerCertificates
    }
}
