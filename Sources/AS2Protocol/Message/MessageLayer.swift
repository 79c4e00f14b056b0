import AS2Crypto

/// One layer of security found in (or applied to) a message, outermost first.
public enum MessageLayer: Sendable, Equatable {
    case encrypted(algorithm: ContentEncryptionAlgorithm, keyTransport: KeyTransportAlgorithm, recipientFingerprint: String?)
    case signed(digest: DigestAlgorithm, scheme: SignatureScheme, signerFingerprint: String?)
    case compressed

    public var name: String {
        switch self {
        case .encrypted: return "encrypted"
        case .signed: return "signed"
        case .compressed: return "compressed"
        }
    }
}

extension Array where Element == MessageLayer {
    public var signature: (digest: DigestAlgorithm, scheme: SignatureScheme, signerFingerprint: String?)? {
        for case let .signed(d, s, f) in self { return (d, s, f) }
        return nil
    }
    public var encryption: (algorithm: ContentEncryptionAlgorithm, keyTransport: KeyTransportAlgorithm, recipientFingerprint: String?)? {
        for case let .encrypted(a, k, f) in self { return (a, k, f) }
        return nil
    }
    public var isCompressed: Bool { contains(.compressed) }

    /// "before-signing" when the compressed layer sits inside the signature, "after-signing" when outside.
    public var compressionPosition: CompressionMode {
        guard let c = firstIndex(of: .compressed) else { return .none }
        guard let s = firstIndex(where: { if case .signed = $0 { return true } else { return false } }) else {
            return .beforeSigning
        }
        return c > s ? .beforeSigning : .afterSigning
    }
}
