import AS2Crypto

extension PeerCipher {
    /// The same cipher in AS2Crypto's terms.
    public var algorithm: ContentEncryptionAlgorithm {
        switch self {
        case .tripleDES: return .tripleDES
        case .aes128CBC: return .aes128CBC
        case .aes192CBC: return .aes192CBC
        case .aes256CBC: return .aes256CBC
        case .aes128GCM: return .aes128GCM
        case .aes256GCM: return .aes256GCM
        }
    }
}
