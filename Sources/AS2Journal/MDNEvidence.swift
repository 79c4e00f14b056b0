import Foundation

/// A receipt received for an outbound message and the result of checking it, kept as
/// non-repudiation evidence (requirements R-VAL-8).
public struct MDNEvidence: Sendable, Hashable {
    /// The MDN exactly as received (HTTP body of the response or of the async POST).
    public var raw: Data
    /// The HTTP headers it came with (their Content-Type is needed to parse `raw` again).
    public var headers: [HeaderField]
    public var mode: MDNMode
    /// The `Disposition` field, e.g. `automatic-action/MDN-sent-automatically; processed`.
    public var disposition: String
    public var signed: Bool
    public var signatureVerified: Bool
    /// Whether the returned MIC matched the stored one; `nil` when no MIC was checked.
    public var micMatched: Bool?
    /// SHA-256 fingerprint of the certificate that verified the signature.
    public var signerCertificateSHA256: String?
    public var receivedAt: Date

    public init(
        raw: Data, headers: [HeaderField], mode: MDNMode, disposition: String, signed: Bool,
        signatureVerified: Bool, micMatched: Bool?, signerCertificateSHA256: String?, receivedAt: Date
    ) {
        self.raw = raw
        self.headers = headers
        self.mode = mode
        self.disposition = disposition
        self.signed = signed
        self.signatureVerified = signatureVerified
        self.micMatched = micMatched
        self.signerCertificateSHA256 = signerCertificateSHA256
        self.receivedAt = receivedAt
    }
}
