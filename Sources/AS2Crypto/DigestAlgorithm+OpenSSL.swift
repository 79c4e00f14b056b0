internal import CAS2OpenSSL

extension DigestAlgorithm {
    /// The algorithm's OBJECT IDENTIFIER, dotted (RFC 5754, RFC 3370).
    public var oid: String {
        switch self {
        case .md5: return "1.2.840.113549.2.5"
        case .sha1: return "1.3.14.3.2.26"
        case .sha224: return "2.16.840.1.101.3.4.2.4"
        case .sha256: return "2.16.840.1.101.3.4.2.1"
        case .sha384: return "2.16.840.1.101.3.4.2.2"
        case .sha512: return "2.16.840.1.101.3.4.2.3"
        }
    }

    /// The digest named by a dotted OID, or nil when it is not one of ours.
    public init?(oid: String) {
        guard let found = Self.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = found
    }

    /// OpenSSL's implementation (a static object; never freed).
    var evpMD: OpaquePointer {
        switch self {
        case .md5: return EVP_md5()
        case .sha1: return EVP_sha1()
        case .sha224: return EVP_sha224()
        case .sha256: return EVP_sha256()
        case .sha384: return EVP_sha384()
        case .sha512: return EVP_sha512()
        }
    }
}
