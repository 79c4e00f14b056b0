import Foundation

/// A message received from a partner: one journal row per duplicate key.
public struct InboundMessage: Sendable, Hashable {
    /// Journal row id.
    public var id: Int64
    public var partner: String
    public var as2From: String
    public var as2To: String
    /// Message-ID as received.
    public var messageID: String
    /// Normalised Message-ID, part of the duplicate key.
    public var messageIDKey: String
    /// SHA-256 of the received HTTP body, lowercase hex; a resend with another digest is a conflict.
    public var bodySHA256: String
    public var state: InboundState
    /// What was delivered (`delivered`).
    public var document: DeliveredDocument?
    /// The error disposition returned (`rejected`).
    public var disposition: String?
    /// The MDN returned, byte for byte; `nil` when none was requested.
    public var mdn: OutgoingMDN?
    /// Progress of an asynchronous MDN; `nil` for sync or no MDN.
    public var asyncMDN: AsyncMDNStatus?
    /// Evidence files kept for this message (a signed entity too large for the journal).
    public var evidencePaths: [String]
    /// The signed entity exactly as received, when kept in the journal (evidence of origin).
    public var signedEntity: Data?
    /// Fingerprint of the certificate that verified the signature; `Journal.certificate(sha256:)`
    /// returns it.
    public var signerCertificateSHA256: String?
    public var createdAt: Date
    public var updatedAt: Date
}
