import AS2Bytes
import Foundation
internal import CAS2OpenSSL

extension CMS {
    /// Checks a detached SignedData over `content` against `trusted` certificates only.
    ///
    /// The certificates embedded in the signature are never trusted (CMS_NOINTERN semantics): the
    /// SignerInfo must name one of `trusted` by issuer and serial or subjectKeyIdentifier. The
    /// signature over the signed attributes and the content digest are checked separately, so a
    /// changed content is told apart from a bad signature. SignerInfos without signed attributes,
    /// SHA-1 to SHA-512 and MD5, RSA PKCS #1 v1.5 and PSS, and digest parameters absent or NULL are
    /// accepted. The content is read in chunks. Never throws: every outcome is a case.
    public static func verifyDetached(
        signature: [UInt8], content: some ByteSource, trusted: [Certificate],
        at date: Date = Date(), allowExpired: Bool = false
    ) -> SignatureVerification {
        verifyDetachedReturningDigest(signature: signature, content: content, trusted: trusted, at: date, allowExpired: allowExpired).result
    }

    /// `verifyDetached`, also returning the digest of `content` the check computed (with the
    /// SignerInfo's digest algorithm, the one `.valid` names), so a caller needing that digest (the
    /// Received-Content-MIC) does not hash the content again. `contentDigest` is set only for
    /// `.valid` with signed attributes (their messageDigest, which the check found equal).
    public static func verifyDetachedReturningDigest(
        signature: [UInt8], content: some ByteSource, trusted: [Certificate],
        at date: Date = Date(), allowExpired: Bool = false
    ) -> (result: SignatureVerification, contentDigest: [UInt8]?) {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        // OpenSSL would decode every embedded certificate (never used here) while parsing.
        guard let handle = ContentInfoHandle(parsing: SignedDataLayout.strippingCertificates(signature)) else {
            return (.malformed("not a CMS structure: \(OpenSSLErrorQueue.drain())"), nil)
        }
        return handle.withCMS { cms in
            let (result, digest) = verify(cms, signature: signature, content: content, trusted: trusted, at: date, allowExpired: allowExpired)
            return (result, digest)
        }
    }

    /// The checks of `verifyDetachedReturningDigest` on the parsed (certificate-less) SignedData.
    private static func verify(
        _ cms: OpaquePointer, signature: [UInt8], content: some ByteSource, trusted: [Certificate],
        at date: Date, allowExpired: Bool
    ) -> (SignatureVerification, [UInt8]?) {
        guard dottedOID(CMS_get0_type(cms)) == OID.signedData.dotted else {
            return (.malformed("CMS content type is \(dottedOID(CMS_get0_type(cms))), not signed-data"), nil)
        }
        guard let infos = CMS_get0_SignerInfos(cms), as2_sk_CMS_SignerInfo_num(infos) > 0 else {
            return (.malformed("SignedData has no SignerInfo"), nil)
        }
        // The first SignerInfo that names a trusted certificate is the one we check.
        var match: (si: OpaquePointer, certificate: Certificate)?
        for i in 0..<as2_sk_CMS_SignerInfo_num(infos) {
            guard let si = as2_sk_CMS_SignerInfo_value(infos, i) else { continue }
            if let certificate = trusted.first(where: { c in c.withX509 { CMS_SignerInfo_cert_cmp(si, $0) == 0 } }) {
                match = (si, certificate)
                break
            }
        }
        guard let (si, certificate) = match else {
            let identifiers = signerIdentifiers(infos, originalSignature: signature)
            return (.unknownSigner("signed by \(identifiers.joined(separator: "; ")), which is none of the \(trusted.count) trusted certificate(s)"), nil)
        }
        if !allowExpired && !certificate.isValid(at: date) {
            return (.signerCertificateExpired(certificate), nil)
        }

        var digestAlgor: UnsafeMutablePointer<X509_ALGOR>?
        var signatureAlgor: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(si, nil, nil, &digestAlgor, &signatureAlgor)
        let digestOID = algorithmOID(digestAlgor.map { UnsafePointer($0) })
        let signatureOID = algorithmOID(signatureAlgor.map { UnsafePointer($0) })
        guard let digest = DigestAlgorithm(oid: digestOID) else {
            return (.unsupportedAlgorithm("digest algorithm \(digestOID)"), nil)
        }
        guard let scheme = SignatureScheme(signatureAlgorithmOID: signatureOID) else {
            return (.unsupportedAlgorithm("signature algorithm \(signatureOID)"), nil)
        }
        certificate.withX509 { CMS_SignerInfo_set1_signer_cert(si, $0) }
        let hasSignedAttributes = CMS_signed_get_attr_count(si) > 0
        if hasSignedAttributes && CMS_SignerInfo_verify(si) != 1 {
            return (.signatureInvalid("the signature over the signed attributes does not verify with \(certificate.subject): \(OpenSSLErrorQueue.drain())"), nil)
        }

        // Hash the content through OpenSSL's digest BIOs (one per digestAlgorithms entry).
        guard let sinkBIO = BIO_new(BIO_s_null()) else { return (.malformed("BIO_new failed"), nil) }
        guard let chain = CMS_dataInit(cms, sinkBIO) else {
            BIO_free(sinkBIO)
            return (.unsupportedAlgorithm("cannot hash the content: \(OpenSSLErrorQueue.drain())"), nil)
        }
        defer { BIO_free_all(chain) }
        do {
            try content.forEachChunk { chunk in
                let n = chunk.withUnsafeBytes { BIO_write(chain, $0.baseAddress, Int32($0.count)) }
                guard n == chunk.count else { throw CryptoError.openssl("hashing the content failed") }
            }
        } catch {
            return (.malformed("reading the signed content failed: \(error)"), nil)
        }
        OpenSSLErrorQueue.clear()
        if CMS_SignerInfo_verify_content(si, chain) == 1 {
            return (.valid(signer: certificate, digest: digest, scheme: scheme), hasSignedAttributes ? messageDigest(si) : nil)
        }
        let reasons = OpenSSLErrorQueue.drainReasons()
        let text = reasons.map(\.text).joined(separator: "; ")
        let mismatch = reasons.contains { $0.library == ERR_LIB_CMS && $0.reason == CMS_R_VERIFICATION_FAILURE }
        if !hasSignedAttributes {
            return (.signatureInvalid("the signature (no signed attributes) does not verify over the content with \(certificate.subject): \(text)"), nil)
        }
        if mismatch {
            return (.contentDigestMismatch(signer: certificate, digest: digest), nil)
        }
        return (.malformed("the content digest cannot be checked: \(text)"), nil)
    }

    /// The messageDigest signed attribute (RFC 5652 §11.2) of a SignerInfo, if it has exactly one.
    static func messageDigest(_ si: OpaquePointer) -> [UInt8]? {
        guard let value = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING) else { return nil }
        let bytes = asn1StringBytes(value.assumingMemoryBound(to: ASN1_STRING.self))
        return bytes.isEmpty ? nil : bytes
    }

    /// How each SignerInfo names its signer, for the unknown-signer message. Only here are the
    /// embedded certificates read (from `originalSignature`, parsed again): to name their subjects.
    private static func signerIdentifiers(_ infos: OpaquePointer, originalSignature: [UInt8]) -> [String] {
        let original = ContentInfoHandle(parsing: originalSignature)
        return (0..<as2_sk_CMS_SignerInfo_num(infos)).compactMap { i in
            guard let si = as2_sk_CMS_SignerInfo_value(infos, i) else { return nil }
            return original.map { handle in handle.withCMS { signerIdentifier(si, cms: $0) } } ?? signerIdentifier(si, cms: nil)
        }
    }

    /// How a SignerInfo names its signer, for messages ("issuer …, serial …" or "key id …"), plus
    /// the subject of a matching embedded certificate if there is one.
    private static func signerIdentifier(_ si: OpaquePointer, cms: OpaquePointer?) -> String {
        var keyID: UnsafeMutablePointer<ASN1_OCTET_STRING>?
        var issuer: OpaquePointer?
        var serial: UnsafeMutablePointer<ASN1_INTEGER>?
        guard CMS_SignerInfo_get0_signer_id(si, &keyID, &issuer, &serial) == 1 else { return "an unreadable signer identifier" }
        var text: String
        if let keyID {
            text = "subjectKeyIdentifier \(Hex.encode(asn1StringBytes(UnsafePointer(keyID))))"
        } else {
            text = "issuer \"\(Certificate.format(issuer))\" serial \(serial.map { Hex.encode(asn1StringBytes(UnsafePointer($0))) } ?? "?")"
        }
        if let cms, let embedded = CMS_get1_certs(cms) {
            defer { as2_sk_X509_pop_free(embedded) }
            for i in 0..<as2_sk_X509_num(embedded) {
                if let x = as2_sk_X509_value(embedded, i), CMS_SignerInfo_cert_cmp(si, x) == 0 {
                    text += " (embedded certificate \"\(Certificate.format(X509_get_subject_name(x)))\")"
                    break
                }
            }
        }
        return text
    }
}
