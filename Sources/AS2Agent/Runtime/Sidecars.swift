import AS2Config
import AS2Crypto
import AS2Protocol
import AS2Spool
import Foundation

extension FolderSettings {
    var ignoreRules: IgnoreRules { IgnoreRules(prefixes: ignorePrefixes, suffixes: ignoreSuffixes) }
}

/// The security block of a sidecar from the layers a message had.
func sidecarSecurity(_ layers: [MessageLayer]) -> ReceiptSidecar.Security {
    let signature = layers.signature
    let encryption = layers.encryption
    let compression: ReceiptSidecar.Compression?
    switch layers.compressionPosition {
    case .none: compression = nil
    case .beforeSigning: compression = .beforeSigning
    case .afterSigning: compression = .afterSigning
    }
    return ReceiptSidecar.Security(
        signed: signature != nil, signatureAlgorithm: signature?.digest.rawValue, signatureScheme: signature?.scheme.rawValue,
        signerCertificateSha256: signature?.signerFingerprint, encrypted: encryption != nil,
        encryptionAlgorithm: encryption?.algorithm.rawValue, keyTransport: encryption?.keyTransport.rawValue,
        recipientCertificateSha256: encryption?.recipientFingerprint, compressed: layers.isCompressed, compression: compression
    )
}

func dispositionParts(_ d: Disposition?) -> (ReceiptSidecar.MDN.DispositionType?, String?) {
    guard let d else { return (nil, nil) }
    let text = d.headerValue
    let type: ReceiptSidecar.MDN.DispositionType = d.isSuccess ? .processed : .failed
    let modifier = text.split(separator: ";", maxSplits: 1).dropFirst().first.flatMap { part -> String? in
        let p = part.trimmingCharacters(in: .whitespaces)
        guard let slash = p.firstIndex(of: "/") else { return nil }
        return String(p[p.index(after: slash)...]).trimmingCharacters(in: .whitespaces)
    }
    return (type, modifier)
}

/// Sidecar of a received document (`inbox/<name>.mdn.json`).
enum ReceivedSidecar {
    static func make(
        _ m: UnpackedMessage, request: InboundRequest, partner: PartnerRuntime, filename: String, sha256: String,
        receivedAt: Date, mdn: BuiltMDN?, asyncURL: String?, asyncAllowed: Bool
    ) -> ReceiptSidecar {
        let mode: ReceiptSidecar.MDN.Mode = request.mdnRequest == nil ? .none : (asyncURL != nil ? .async : .sync)
        let (type, modifier) = dispositionParts(mdn?.report.disposition ?? .processed)
        var delivery: ReceiptSidecar.MDN.Delivery?
        if let asyncURL {
            delivery = asyncAllowed
                ? .init(status: .pending, attempts: 0, url: asyncURL)
                : .init(status: .failed, attempts: 0, lastError: "return URL not allowed for this partner", url: asyncURL)
        }
        return ReceiptSidecar(
            messageId: request.messageID, direction: .received, partner: partner.name,
            as2From: request.as2From.value, as2To: request.as2To.value,
            file: SidecarFile(name: filename, originalName: m.originalFilename ?? filename, size: m.payload.count, sha256: sha256),
            timestamps: .init(received: receivedAt, receipt: mdn == nil ? nil : receivedAt),
            security: sidecarSecurity(m.layers),
            mic: .init(algorithm: m.mic.algorithmName, digest: Data(m.mic.digest).base64EncodedString()),
            mdn: .init(
                mode: mode, requestedSigned: request.mdnRequest?.signedReceiptRequested ?? false,
                signed: mdn?.isSigned, signatureVerified: nil, disposition: mdn?.report.disposition?.headerValue,
                dispositionType: mdn == nil ? nil : type, modifier: modifier, micMatched: nil, messageId: mdn?.messageID,
                delivery: delivery
            ),
            attempts: 1
        )
    }
}
