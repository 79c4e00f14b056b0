import AS2Crypto
import Foundation

/// What we accept from one partner (requirements R-ALG-1, R-CERT-5, DESIGN.md §6): required
/// protection, minimum algorithms, size limits, how the partner authenticates its HTTP requests,
/// and where we may POST their asynchronous MDNs.
public struct PartnerInboundPolicy: Sendable, Equatable {
    public var requireSignature: Bool
    public var requireEncryption: Bool
    /// Weakest signature digest accepted.
    public var minimumSignDigest: DigestAlgorithm
    /// Weakest content encryption accepted.
    public var minimumEncryption: ContentEncryptionAlgorithm
    /// Accept signatures by an expired or not-yet-valid partner certificate.
    public var allowExpiredCertificate: Bool
    /// Reject MDNs to our messages unless they are signed and verify.
    public var requireSignedMDN: Bool
    /// Largest HTTP body accepted, in bytes.
    public var maxMessageSize: Int
    /// Largest payload after decompression, in bytes.
    public var maxDecompressedSize: Int
    /// Largest decompressed/compressed size ratio (zip-bomb guard).
    public var maxCompressionRatio: Int
    /// When set, the partner's requests must carry these basic-auth credentials.
    public var basicAuth: BasicAuthCredentials?
    /// When set, the partner's requests must come over HTTPS with this client certificate.
    public var tlsClientCertificate: String?
    /// Extra URLs their async MDN requests may ask us to POST to, beyond the scheme+host+port of
    /// the partner's `url`.
    public var asyncMDNReturnURLs: [URL]

    public static let `default` = PartnerInboundPolicy()

    public init(
        requireSignature: Bool = true, requireEncryption: Bool = true, minimumSignDigest: DigestAlgorithm = .sha256,
        minimumEncryption: ContentEncryptionAlgorithm = .aes128CBC, allowExpiredCertificate: Bool = false,
        requireSignedMDN: Bool = true, maxMessageSize: Int = 1 << 30, maxDecompressedSize: Int = 2 << 30,
        maxCompressionRatio: Int = 200, basicAuth: BasicAuthCredentials? = nil, tlsClientCertificate: String? = nil,
        asyncMDNReturnURLs: [URL] = []
    ) {
        self.requireSignature = requireSignature
        self.requireEncryption = requireEncryption
        self.minimumSignDigest = minimumSignDigest
        self.minimumEncryption = minimumEncryption
        self.allowExpiredCertificate = allowExpiredCertificate
        self.requireSignedMDN = requireSignedMDN
        self.maxMessageSize = maxMessageSize
        self.maxDecompressedSize = maxDecompressedSize
        self.maxCompressionRatio = maxCompressionRatio
        self.basicAuth = basicAuth
        self.tlsClientCertificate = tlsClientCertificate
        self.asyncMDNReturnURLs = asyncMDNReturnURLs
    }

    /// Whether a signature with this digest meets the policy.
    public func accepts(_ digest: DigestAlgorithm) -> Bool { digest >= minimumSignDigest }

    /// Whether content encrypted with this algorithm meets the policy.
    public func accepts(_ encryption: ContentEncryptionAlgorithm) -> Bool { encryption >= minimumEncryption }
}
