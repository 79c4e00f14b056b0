import AS2Crypto
import Foundation

/// Where compression sits relative to the signature (RFC 5402 §3; requirements §2.1 rows 5–10).
public enum CompressionMode: String, Sendable, Codable, CaseIterable {
    case none
    case beforeSigning = "before-signing"
    case afterSigning = "after-signing"
}

/// Content-Transfer-Encoding of the payload part (R-CTE-5). `binary` keeps bytes untouched.
public enum PayloadTransferEncoding: String, Sendable, Codable, CaseIterable {
    case binary, base64
}

/// The receipt a sender asks for (RFC 4130 §7.3).
public struct MDNRequest: Sendable, Equatable {
    /// Digest the partner should sign the MDN with; nil asks for an unsigned MDN.
    public var signingDigest: DigestAlgorithm?
    /// Receipt-Delivery-Option URL for an asynchronous MDN; nil asks for a synchronous one.
    public var receiptDeliveryURL: String?

    public init(signingDigest: DigestAlgorithm?, receiptDeliveryURL: String? = nil) {
        self.signingDigest = signingDigest
        self.receiptDeliveryURL = receiptDeliveryURL
    }

    public var isAsync: Bool { receiptDeliveryURL != nil }
}

/// Everything that decides the bytes of one outbound message (requirements §1.2, §2.1).
public struct OutboundMessageOptions: Sendable {
    public var as2From: AS2Name
    public var as2To: AS2Name
    public var messageID: String
    public var date: Date
    public var subject: String
    public var contentType: String
    /// Sent in the payload's Content-Disposition (Drummond FN profile); nil sends none.
    public var filename: String?
    public var payloadTransferEncoding: PayloadTransferEncoding
    public var signature: DigestAlgorithm?
    public var signatureScheme: SignatureScheme
    public var includeCertificates: Bool
    public var encryption: ContentEncryptionAlgorithm?
    public var keyTransport: KeyTransportAlgorithm
    public var compression: CompressionMode
    /// nil: no receipt requested (no Disposition-Notification-To).
    public var mdn: MDNRequest?
    /// Spell micalg values `sha256` instead of RFC 5751's `sha-256` (partners that only know the old names).
    public var legacyMicalgNames: Bool
    /// The partner URL, sent as Recipient-Address.
    public var recipientAddress: String?
    public var userAgent: String

    public init(
        as2From: AS2Name, as2To: AS2Name, messageID: String, date: Date = Date(), subject: String = "AS2 message",
        contentType: String = "application/octet-stream", filename: String? = nil,
        payloadTransferEncoding: PayloadTransferEncoding = .binary,
        signature: DigestAlgorithm? = .sha256, signatureScheme: SignatureScheme = .rsaPKCS1v15,
        includeCertificates: Bool = true,
        encryption: ContentEncryptionAlgorithm? = .aes256CBC, keyTransport: KeyTransportAlgorithm = .rsaPKCS1v15,
        compression: CompressionMode = .none, mdn: MDNRequest? = MDNRequest(signingDigest: .sha256),
        legacyMicalgNames: Bool = false, recipientAddress: String? = nil, userAgent: String = "as2-agent"
    ) {
        self.as2From = as2From
        self.as2To = as2To
        self.messageID = messageID
        self.date = date
        self.subject = subject
        self.contentType = contentType
        self.filename = filename
        self.payloadTransferEncoding = payloadTransferEncoding
        self.signature = signature
        self.signatureScheme = signatureScheme
        self.includeCertificates = includeCertificates
        self.encryption = encryption
        self.keyTransport = keyTransport
        self.compression = compression
        self.mdn = mdn
        self.legacyMicalgNames = legacyMicalgNames
        self.recipientAddress = recipientAddress
        self.userAgent = userAgent
    }

    func micalgName(_ digest: DigestAlgorithm) -> String {
        legacyMicalgNames ? digest.legacyMicalgName : digest.micalgName
    }
}
