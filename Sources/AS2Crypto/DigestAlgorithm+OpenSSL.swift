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

extension SignatureScheme {
    /// The scheme named by a SignerInfo's signatureAlgorithm OID: rsaEncryption and the
    /// shaXWithRSAEncryption family are PKCS #1 v1.5, id-RSASSA-PSS is PSS; nil otherwise.
    init?(signatureAlgorithmOID oid: String) {
        switch oid {
        case OID.rsaEncryption.dotted,
            "1.2.840.113549.1.1.4",  // md5WithRSAEncryption
            "1.2.840.113549.1.1.5",  // sha1WithRSAEncryption
            "1.2.840.113549.1.1.14",  // sha224WithRSAEncryption
            "1.2.840.113549.1.1.11",  // sha256WithRSAEncryption
            "1.2.840.113549.1.1.12",  // sha384WithRSAEncryption
            "1.2.840.113549.1.1.13":  // sha512WithRSAEncryption
            self = .rsaPKCS1v15
        case OID.rsassaPSS.dotted:
            self = .rsaPSS
        default:
            return nil
        }
    }
}

extension KeyTransportAlgorithm {
    /// The key-encryption algorithm's OBJECT IDENTIFIER, dotted.
    public var oid: String {
        switch self {
        case .rsaPKCS1v15: return OID.rsaEncryption.dotted
        case .rsaOAEP: return OID.rsaesOAEP.dotted
        }
    }

    /// The key transport named by a dotted OID, or nil when it is not one of ours.
    public init?(oid: String) {
        guard let found = Self.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = found
    }
}

/// The dotted text of an OpenSSL ASN1_OBJECT.
func dottedOID(_ object: OpaquePointer?) -> String {
    guard let object else { return "" }
    var buffer = [CChar](repeating: 0, count: 128)
    let n = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
    guard n > 0 else { return "" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
