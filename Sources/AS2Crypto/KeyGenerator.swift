import Foundation
internal import CAS2OpenSSL

/// Creates keys, self-signed certificates, certificate requests, and (for tests of chains and
/// expiry) certificates issued by another identity.
public enum KeyGenerator {
    /// A new RSA key. `bits` is 2048, 3072 or 4096 (anything from 2048 to 8192 is accepted).
    public static func generateRSA(bits: Int) throws -> PrivateKey {
        guard (2048...8192).contains(bits) else {
            throw CryptoError(.unsupportedAlgorithm, "RSA keys of \(bits) bits are not generated (2048 to 8192)")
        }
        OpenSSLErrorQueue.clear()
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else { throw CryptoError.openssl("EVP_PKEY_CTX_new_from_name failed") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) == 1,
            EVP_PKEY_generate(ctx, &key) == 1, let key
        else { throw CryptoError.openssl("RSA key generation failed") }
        return PrivateKey(taking: key)
    }

    /// A self-signed certificate for `key`: random serial, SHA-256, key usage digitalSignature +
    /// keyEncipherment + dataEncipherment, subjectKeyIdentifier, basicConstraints CA:false (CA:true
    /// and keyCertSign when `isCertificateAuthority`). Valid from `notBefore` (default: now) for
    /// `validityDays` days.
    public static func selfSignedCertificate(
        key: PrivateKey, commonName: String, organization: String?, validityDays: Int,
        notBefore: Date? = nil, isCertificateAuthority: Bool = false
    ) throws -> Certificate {
        try makeCertificate(
            key: key, commonName: commonName, organization: organization, validityDays: validityDays,
            notBefore: notBefore, isCertificateAuthority: isCertificateAuthority, issuer: nil)
    }

    /// A certificate for `key` issued (signed) by `issuer`, with the same extensions as
    /// `selfSignedCertificate` plus an authorityKeyIdentifier.
    public static func issueCertificate(
        key: PrivateKey, commonName: String, organization: String? = nil, issuer: Identity, validityDays: Int,
        notBefore: Date? = nil, isCertificateAuthority: Bool = false
    ) throws -> Certificate {
        try makeCertificate(
            key: key, commonName: commonName, organization: organization, validityDays: validityDays,
            notBefore: notBefore, isCertificateAuthority: isCertificateAuthority, issuer: issuer)
    }

    /// A PKCS #10 certificate signing request (PEM), signed with SHA-256.
    public static func certificateSigningRequest(key: PrivateKey, commonName: String, organization: String?) throws -> String {
        OpenSSLErrorQueue.clear()
        guard let req = X509_REQ_new() else { throw CryptoError.openssl("X509_REQ_new failed") }
        defer { X509_REQ_free(req) }
        let name = try makeName(commonName: commonName, organization: organization)
        defer { X509_NAME_free(name) }
        let ok = key.withPKey { pkey in
            X509_REQ_set_version(req, 0) == 1 && X509_REQ_set_subject_name(req, name) == 1
                && X509_REQ_set_pubkey(req, pkey) == 1 && X509_REQ_sign(req, pkey, EVP_sha256()) > 0
        }
        guard ok else { throw CryptoError.openssl("building the certificate request failed") }
        let bio = try MemoryBIO()
        guard bio.withBIO({ PEM_write_bio_X509_REQ($0, req) }) == 1 else { throw CryptoError.openssl("PEM_write_bio_X509_REQ failed") }
        return bio.string
    }

    // MARK: Internals

    private static func makeCertificate(
        key: PrivateKey, commonName: String, organization: String?, validityDays: Int,
        notBefore: Date?, isCertificateAuthority: Bool, issuer: Identity?
    ) throws -> Certificate {
        OpenSSLErrorQueue.clear()
        guard validityDays > 0 else { throw CryptoError(.malformedInput, "validity must be at least one day") }
        guard let x = X509_new() else { throw CryptoError.openssl("X509_new failed") }
        defer { X509_free(x) }
        let name = try makeName(commonName: commonName, organization: organization)
        defer { X509_NAME_free(name) }

        var serialBytes = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&serialBytes, Int32(serialBytes.count)) == 1 else { throw CryptoError.openssl("RAND_bytes failed") }
        serialBytes[0] = (serialBytes[0] & 0x7f) | 0x40  // positive, and always 16 bytes long
        guard let bn = BN_bin2bn(serialBytes, Int32(serialBytes.count), nil) else { throw CryptoError.openssl("BN_bin2bn failed") }
        defer { BN_free(bn) }

        let start = notBefore ?? Date()
        let end = start.addingTimeInterval(TimeInterval(validityDays) * 86_400)
        let issuerKey = issuer?.privateKey ?? key

        do {
            let serial = BN_to_ASN1_INTEGER(bn, nil)
            defer { ASN1_INTEGER_free(serial) }
            guard X509_set_version(x, 2) == 1, X509_set_serialNumber(x, serial) == 1,
                X509_set_subject_name(x, name) == 1,
                ASN1_TIME_set(X509_getm_notBefore(x), time_t(start.timeIntervalSince1970)) != nil,
                ASN1_TIME_set(X509_getm_notAfter(x), time_t(end.timeIntervalSince1970)) != nil,
                key.withPKey({ X509_set_pubkey(x, $0) }) == 1
            else { throw CryptoError.openssl("filling the certificate failed") }

            let issuerOK: Bool
            if let issuer {
                issuerOK = issuer.certificate.withX509 { X509_set_issuer_name(x, X509_get_subject_name($0)) } == 1
            } else {
                issuerOK = X509_set_issuer_name(x, name) == 1
            }
            guard issuerOK else { throw CryptoError.openssl("setting the issuer failed") }

            var extensions: [(Int32, String)] = [
                (NID_basic_constraints, isCertificateAuthority ? "critical,CA:TRUE" : "critical,CA:FALSE"),
                (NID_key_usage, isCertificateAuthority
                    ? "critical,digitalSignature,keyCertSign,cRLSign"
                    : "critical,digitalSignature,keyEncipherment,dataEncipherment"),
                (NID_subject_key_identifier, "hash"),
            ]
            if issuer != nil { extensions.append((NID_authority_key_identifier, "keyid:always")) }

            try withOptionalX509(issuer?.certificate) { issuerX509 in
                var ctx = X509V3_CTX()
                X509V3_set_ctx(&ctx, issuerX509 ?? x, x, nil, nil, 0)
                for (nid, value) in extensions {
                    guard let ext = X509V3_EXT_conf_nid(nil, &ctx, nid, value) else {
                        throw CryptoError.openssl("building extension \(value) failed")
                    }
                    defer { X509_EXTENSION_free(ext) }
                    guard X509_add_ext(x, ext, -1) == 1 else { throw CryptoError.openssl("adding extension \(value) failed") }
                }
            }
            guard issuerKey.withPKey({ X509_sign(x, $0, EVP_sha256()) }) > 0 else {
                throw CryptoError.openssl("signing the certificate failed")
            }
        }
        return try Certificate.load(der: DEREncoding.encode("certificate") { i2d_X509(x, $0) })
    }

    private static func makeName(commonName: String, organization: String?) throws -> OpaquePointer {
        guard let name = X509_NAME_new() else { throw CryptoError.openssl("X509_NAME_new failed") }
        var entries: [(String, String)] = []
        if let organization { entries.append(("O", organization)) }
        entries.append(("CN", commonName))
        for (field, value) in entries {
            let bytes = Array(value.utf8)
            guard X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0) == 1 else {
                X509_NAME_free(name)
                throw CryptoError.openssl(.malformedInput, "invalid \(field) \"\(value)\"")
            }
        }
        return name
    }

    private static func withOptionalX509<R>(_ certificate: Certificate?, _ body: (OpaquePointer?) throws -> R) rethrows -> R {
        guard let certificate else { return try body(nil) }
        return try certificate.withX509 { try body($0) }
    }
}
