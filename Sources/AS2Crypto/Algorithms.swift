/// Message digests used for signatures and MICs (requirements §6.1). Raw values are the names
/// used in agent.conf.
public enum DigestAlgorithm: String, CaseIterable, Sendable, Codable, Comparable {
    case md5, sha1, sha224, sha256, sha384, sha512

    /// Relative strength, for "minimum algorithm" policies.
    public var strength: Int {
        switch self {
        case .md5: return 0
        case .sha1: return 1
        case .sha224: return 2
        case .sha256: return 3
        case .sha384: return 4
        case .sha512: return 5
        }
    }

    /// Digest length in bytes.
    public var byteCount: Int {
        switch self {
        case .md5: return 16
        case .sha1: return 20
        case .sha224: return 28
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }

    /// Never used to send (requirements §6.1: MD5 is receive-only legacy).
    public var isSendable: Bool { self != .md5 }

    public static func < (a: Self, b: Self) -> Bool { a.strength < b.strength }
}

/// How the signer's RSA key signs (requirements §6.1).
public enum SignatureScheme: String, CaseIterable, Sendable, Codable {
    case rsaPKCS1v15 = "pkcs1v15"
    case rsaPSS = "pss"
}

/// Content-encryption algorithms of EnvelopedData / AuthEnvelopedData. Raw values are the names
/// used in agent.conf.
public enum ContentEncryptionAlgorithm: String, CaseIterable, Sendable, Codable, Comparable {
    case rc2_40CBC = "rc2-40-cbc"  // receive-only legacy; never sent
    case desCBC = "des-cbc"  // receive-only legacy; never sent
    case tripleDES = "3des"
    case aes128CBC = "aes128-cbc"
    case aes192CBC = "aes192-cbc"
    case aes256CBC = "aes256-cbc"
    case aes128GCM = "aes128-gcm"
    case aes256GCM = "aes256-gcm"

    /// Relative strength, for "minimum algorithm" policies.
    public var strength: Int {
        switch self {
        case .rc2_40CBC: return 0
        case .desCBC: return 1
        case .tripleDES: return 2
        case .aes128CBC: return 3
        case .aes128GCM: return 4
        case .aes192CBC: return 5
        case .aes256CBC: return 6
        case .aes256GCM: return 7
        }
    }

    /// GCM: sent as AuthEnvelopedData (RFC 5083/5084).
    public var isAuthenticated: Bool { self == .aes128GCM || self == .aes256GCM }

    /// Algorithms we may send with (requirements §6.1).
    public var isSendable: Bool { self != .rc2_40CBC && self != .desCBC }

    public static func < (a: Self, b: Self) -> Bool { a.strength < b.strength }
}

/// RSA key transport for the content-encryption key (requirements §6.1).
public enum KeyTransportAlgorithm: String, CaseIterable, Sendable, Codable {
    case rsaPKCS1v15 = "rsa"
    case rsaOAEP = "oaep"
}
