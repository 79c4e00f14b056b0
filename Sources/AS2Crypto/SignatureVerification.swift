/// Outcome of checking a detached CMS signature. Each failure maps to one MDN disposition
/// modifier (requirements §8.5): `contentDigestMismatch` is integrity-check-failed, the others
/// authentication-failed (or, for `unsupportedAlgorithm`, insufficient-message-security).
public enum SignatureVerification: Sendable {
    /// The signature verifies, made by `signer` (one of the trusted certificates).
    case valid(signer: Certificate, digest: DigestAlgorithm, scheme: SignatureScheme)
    /// The signature over the signed attributes verifies, but their message-digest is not the
    /// digest of the content: the content was changed.
    case contentDigestMismatch(signer: Certificate, digest: DigestAlgorithm)
    /// The signature value does not verify with the signer's key.
    case signatureInvalid(String)
    /// No SignerInfo names one of the trusted certificates (an embedded certificate is never trusted).
    case unknownSigner(String)
    /// The signer's certificate is not valid at the verification time.
    case signerCertificateExpired(Certificate)
    /// The digest or signature algorithm is not one we support.
    case unsupportedAlgorithm(String)
    /// Not a DER/BER SignedData: truncated, garbage, or another content type.
    case malformed(String)

    /// True only for `.valid`.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}
