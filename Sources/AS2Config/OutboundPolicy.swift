import AS2Protocol
import AS2Crypto

/// How we build messages for one partner: signature, encryption, compression, the receipt we
/// request, and the payload's MIME labels.
public struct OutboundPolicy: Sendable, Equatable {
    /// Digest of our signature; nil sends unsigned (`sign = "none"`).
    public var sign: DigestAlgorithm?
    public var signatureScheme: SignatureScheme
    /// Content encryption; nil sends unencrypted (`encrypt = "none"`).
    public var encrypt: ContentEncryptionAlgorithm?
    public var keyTransport: KeyTransportAlgorithm
    public var compress: CompressionMode
    public var mdn: MDNMode
    /// Request a signed receipt (Disposition-Notification-Options signed-receipt-protocol).
    public var mdnSigned: Bool
    /// MIC algorithm requested in signed-receipt-micalg; defaults to `sign`, else SHA-256.
    public var mdnMICAlgorithm: DigestAlgorithm
    /// `Subject` header of the AS2 message.
    public var subject: String
    /// Content-Type of the payload MIME part, e.g. `application/edi-x12`.
    public var contentType: String
    /// Send the file name in `Content-Disposition: attachment; filename=...` (RFC 6362 style).
    public var filenameHeader: Bool

    public static let `default` = OutboundPolicy()

    public init(
        sign: DigestAlgorithm? = .sha256, signatureScheme: SignatureScheme = .rsaPKCS1v15,
        encrypt: ContentEncryptionAlgorithm? = .aes256CBC, keyTransport: KeyTransportAlgorithm = .rsaPKCS1v15,
        compress: CompressionMode = .none, mdn: MDNMode = .sync, mdnSigned: Bool = true,
        mdnMICAlgorithm: DigestAlgorithm = .sha256, subject: String = "AS2 Message",
        contentType: String = "application/octet-stream", filenameHeader: Bool = true
    ) {
        self.sign = sign
        self.signatureScheme = signatureScheme
        self.encrypt = encrypt
        self.keyTransport = keyTransport
        self.compress = compress
        self.mdn = mdn
        self.mdnSigned = mdnSigned
        self.mdnMICAlgorithm = mdnMICAlgorithm
        self.subject = subject
        self.contentType = contentType
        self.filenameHeader = filenameHeader
    }
}
