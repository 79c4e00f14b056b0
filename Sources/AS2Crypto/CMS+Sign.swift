import AS2Bytes
import Foundation
internal import CAS2OpenSSL

extension CMS {
    /// A detached SignedData (DER) over `content`, made by `signer` with `digest` and `scheme`.
    ///
    /// Signed attributes: contentType, messageDigest, signingTime and SMIMECapabilities (no RFC 6211
    /// algorithm protection: several AS2 products reject it). The content is hashed in chunks, never
    /// loaded whole. `includeCertificates` embeds the signer certificate and `signer.chain`.
    /// An expired signing certificate is refused (`.certificateExpired`) unless `allowExpiredCertificate`;
    /// MD5 is refused (`.unsupportedAlgorithm`): it is only ever verified.
    public static func signDetached(
        content: some ByteSource, signer: Identity, digest: DigestAlgorithm,
        scheme: SignatureScheme = .rsaPKCS1v15, includeCertificates: Bool = true,
        allowExpiredCertificate: Bool = false
    ) throws -> [UInt8] {
        try signDetachedReturningDigest(
            content: content, signer: signer, digest: digest, scheme: scheme,
            includeCertificates: includeCertificates, allowExpiredCertificate: allowExpiredCertificate
        ).signature
    }

    /// `signDetached`, also returning the `digest` of `content` computed while signing (the
    /// messageDigest attribute), so a caller needing it (the MIC) does not hash the content again.
    public static func signDetachedReturningDigest(
        content: some ByteSource, signer: Identity, digest: DigestAlgorithm,
        scheme: SignatureScheme = .rsaPKCS1v15, includeCertificates: Bool = true,
        allowExpiredCertificate: Bool = false
    ) throws -> (signature: [UInt8], contentDigest: [UInt8]) {
        OpenSSLErrorQueue.clear()
        guard digest.isSendable else {
            throw CryptoError(.unsupportedAlgorithm, "\(digest.rawValue) is receive-only and never used to sign")
        }
        if !allowExpiredCertificate && !signer.certificate.isValid(at: Date()) {
            throw CryptoError(.certificateExpired, "the signing certificate \(signer.certificate.subject) is not valid now (valid \(signer.certificate.notBefore) to \(signer.certificate.notAfter))")
        }
        var flags = UInt32(CMS_DETACHED | CMS_BINARY | CMS_PARTIAL)
        if !includeCertificates { flags |= UInt32(CMS_NOCERTS) }
        guard let raw = CMS_sign(nil, nil, nil, nil, flags) else { throw CryptoError.openssl("CMS_sign failed") }
        let handle = ContentInfoHandle(taking: raw)

        let contentDigest = try handle.withCMS { cms -> [UInt8] in
            // SMIMECapabilities added below, not by OpenSSL: its standard list probes GOST digests
            // through failing provider fetches (an error record each) on every signature.
            let signerFlags = flags | UInt32(CMS_NOSMIMECAP) | (scheme == .rsaPSS ? UInt32(CMS_KEY_PARAM) : 0)
            let si = signer.privateKey.withPKey { key in
                signer.certificate.withX509 { cert in CMS_add1_signer(cms, cert, key, digest.evpMD, signerFlags) }
            }
            guard let si else { throw CryptoError.openssl(.unsupportedAlgorithm, "cannot sign with \(digest.rawValue)/\(scheme.rawValue)") }
            try addSMIMECapabilities(si)
            if scheme == .rsaPSS {
                // Salt length = digest length and MGF1 with the same digest: what BouncyCastle-based
                // AS2 products use and expect.
                guard let pctx = CMS_SignerInfo_get0_pkey_ctx(si),
                    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0,
                    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0
                else { throw CryptoError.openssl(.unsupportedAlgorithm, "cannot set up RSASSA-PSS") }
            }
            if includeCertificates {
                for certificate in signer.chain {
                    guard certificate.withX509({ CMS_add1_cert(cms, $0) }) == 1 else {
                        throw CryptoError.openssl("adding a chain certificate failed")
                    }
                }
            }
            // Detached: the data BIO chain hashes what is written and discards it.
            guard let bio = CMS_dataInit(cms, nil) else { throw CryptoError.openssl("CMS_dataInit failed") }
            defer { BIO_free_all(bio) }
            try mapIOErrors("reading the content to sign") {
                try content.forEachChunk { chunk in
                    let n = chunk.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
                    guard n == chunk.count else { throw CryptoError.openssl("hashing the content failed") }
                }
            }
            guard CMS_dataFinal(cms, bio) == 1 else { throw CryptoError.openssl("signing failed") }
            guard let value = messageDigest(si) else { throw CryptoError.openssl("the signature has no message digest") }
            return value
        }
        return (try handle.encoded(), contentDigest)
    }

    /// The SMIMECapabilities attribute (RFC 8551 §2.5.2) OpenSSL 3.0's `CMS_add_standard_smimecap`
    /// writes without a GOST provider, in its order: AES-256/192/128-CBC, 3DES, RC2-128, RC2-64,
    /// DES, RC2-40.
    static func addSMIMECapabilities(_ si: OpaquePointer) throws {
        let capabilities: [(Int32, Int32)] = [
            (NID_aes_256_cbc, -1), (NID_aes_192_cbc, -1), (NID_aes_128_cbc, -1), (NID_des_ede3_cbc, -1),
            (NID_rc2_cbc, 128), (NID_rc2_cbc, 64), (NID_des_cbc, -1), (NID_rc2_cbc, 40),
        ]
        var list: OpaquePointer?
        defer { if let list { as2_sk_X509_ALGOR_pop_free(list) } }
        for (nid, keySize) in capabilities {
            guard CMS_add_simple_smimecap(&list, nid, keySize) == 1 else { throw CryptoError.openssl("building SMIMECapabilities failed") }
        }
        guard CMS_add_smimecap(si, list) == 1 else { throw CryptoError.openssl("adding SMIMECapabilities failed") }
    }
}
