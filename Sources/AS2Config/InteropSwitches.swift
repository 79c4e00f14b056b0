import AS2Protocol
/// Per-partner workarounds for other AS2 products, all off (standard behaviour) by default
/// (requirements R-RS-3, R-DUP-5, R-ID-4, §3.6, §1.5).
public struct InteropSwitches: Sendable, Equatable {
    /// Resend under a new Message-ID (Mendelson rejects a reused one).
    public var resendNewMessageID: Bool
    /// micalg / MIC algorithm names without the dash (`sha256`, not `sha-256`).
    public var legacyMICAlgorithmNames: Bool
    public var payloadTransferEncoding: PayloadTransferEncoding
    /// Send the body with chunked transfer encoding instead of Content-Length.
    public var chunked: Bool
    /// Answer duplicates with `processed/warning: duplicate-document` (pyas2lib style).
    public var duplicateDocumentWarning: Bool
    /// Embed our certificate in the SignedData of messages and MDNs.
    public var includeCertificateInSignature: Bool
    /// Match this partner's AS2-From case-insensitively.
    public var caseInsensitiveAS2ID: Bool

    public static let `default` = InteropSwitches()

    public init(
        resendNewMessageID: Bool = false, legacyMICAlgorithmNames: Bool = false,
        payloadTransferEncoding: PayloadTransferEncoding = .binary, chunked: Bool = false,
        duplicateDocumentWarning: Bool = false, includeCertificateInSignature: Bool = true,
        caseInsensitiveAS2ID: Bool = false
    ) {
        self.resendNewMessageID = resendNewMessageID
        self.legacyMICAlgorithmNames = legacyMICAlgorithmNames
        self.payloadTransferEncoding = payloadTransferEncoding
        self.chunked = chunked
        self.duplicateDocumentWarning = duplicateDocumentWarning
        self.includeCertificateInSignature = includeCertificateInSignature
        self.caseInsensitiveAS2ID = caseInsensitiveAS2ID
    }
}
