internal import CAS2OpenSSL

// Small readers of OpenSSL values shared by the owners and CMS operations.

/// The dotted text of an OpenSSL ASN1_OBJECT.
func dottedOID(_ object: OpaquePointer?) -> String {
    guard let object else { return "" }
    var buffer = [CChar](repeating: 0, count: 128)
    let n = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
    guard n > 0 else { return "" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The dotted OID of an X509_ALGOR.
func algorithmOID(_ algor: UnsafePointer<X509_ALGOR>?) -> String {
    guard let algor else { return "" }
    var object: OpaquePointer?
    X509_ALGOR_get0(&object, nil, nil, algor)
    return dottedOID(object)
}

/// OpenSSL's name for a key's algorithm ("RSA", "EC", "ED25519", …).
func keyTypeName(_ key: OpaquePointer) -> String {
    switch EVP_PKEY_get_base_id(key) {
    case EVP_PKEY_RSA: return "RSA"
    case EVP_PKEY_RSA_PSS: return "RSA-PSS"
    case EVP_PKEY_EC: return "EC"
    case EVP_PKEY_ED25519: return "ED25519"
    case EVP_PKEY_ED448: return "ED448"
    case EVP_PKEY_DSA: return "DSA"
    default:
        if let name = EVP_PKEY_get0_type_name(key) { return String(cString: name) }
        return "unknown"
    }
}

/// The bytes of an ASN1_STRING (also ASN1_OCTET_STRING and ASN1_INTEGER).
func asn1StringBytes(_ string: UnsafePointer<ASN1_STRING>) -> [UInt8] {
    let n = Int(ASN1_STRING_length(string))
    guard n > 0, let data = ASN1_STRING_get0_data(string) else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: n))
}
