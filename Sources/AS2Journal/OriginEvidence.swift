import Foundation

/// Evidence of origin of a received signed message (requirements R-VAL-8), stored with its
/// journal row by `completeInbound`: the signed entity as received (when small enough to keep in
/// the journal; larger ones are files named in `evidencePaths`) and the certificate that verified
/// it, stored once per fingerprint.
public struct OriginEvidence: Sendable, Hashable {
    /// The multipart/signed entity byte for byte, or `nil` when it was kept as a file.
    public var signedEntity: Data?
    /// SHA-256 fingerprint of the signer certificate (as `Certificate.sha256Fingerprint` writes it).
    public var signerSHA256: String
    /// The signer certificate in PEM.
    public var signerPEM: String
    /// Its subject, for people reading the journal.
    public var signerSubject: String

    public init(signedEntity: Data?, signerSHA256: String, signerPEM: String, signerSubject: String) {
        self.signedEntity = signedEntity
        self.signerSHA256 = signerSHA256
        self.signerPEM = signerPEM
        self.signerSubject = signerSubject
    }
}
