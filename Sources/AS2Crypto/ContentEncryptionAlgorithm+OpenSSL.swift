internal import CAS2OpenSSL

extension ContentEncryptionAlgorithm {
    /// The algorithm's OBJECT IDENTIFIER, dotted. RC2 has one OID for every key size; a received
    /// RC2 envelope is reported as `.rc2_40CBC` (the weakest), which policy treats as legacy.
    public var oid: String {
        switch self {
        case .rc2_40CBC: return "1.2.840.113549.3.2"
        case .desCBC: return "1.3.14.3.2.7"
        case .tripleDES: return "1.2.840.113549.3.7"
        case .aes128CBC: return "2.16.840.1.101.3.4.1.2"
        case .aes192CBC: return "2.16.840.1.101.3.4.1.22"
        case .aes256CBC: return "2.16.840.1.101.3.4.1.42"
        case .aes128GCM: return "2.16.840.1.101.3.4.1.6"
        case .aes256GCM: return "2.16.840.1.101.3.4.1.46"
        }
    }

    /// The algorithm named by a dotted OID, or nil when it is not one of ours.
    public init?(oid: String) {
        guard let found = Self.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = found
    }

    /// Needs OpenSSL's legacy provider (RC2 and single DES are not in the default one).
    var needsLegacyProvider: Bool { self == .rc2_40CBC || self == .desCBC }

    /// OpenSSL's cipher, used when sending (only sendable algorithms reach it).
    var evpCipher: OpaquePointer? {
        switch self {
        case .rc2_40CBC: return EVP_rc2_40_cbc()
        case .desCBC: return EVP_des_cbc()
        case .tripleDES: return EVP_des_ede3_cbc()
        case .aes128CBC: return EVP_aes_128_cbc()
        case .aes192CBC: return EVP_aes_192_cbc()
        case .aes256CBC: return EVP_aes_256_cbc()
        case .aes128GCM: return EVP_aes_128_gcm()
        case .aes256GCM: return EVP_aes_256_gcm()
        }
    }
}
