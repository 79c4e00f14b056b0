import AS2Bytes
import Foundation
internal import CAS2OpenSSL

extension CMS {
    /// Envelopes `content` for `recipients` and streams the result to `sink`.
    ///
    /// CBC algorithms give EnvelopedData, GCM gives AuthEnvelopedData (RFC 5083/5084, 12-byte
    /// nonce, 16-byte tag). The content-encryption key is wrapped for each recipient with RSA
    /// PKCS #1 v1.5 or RSAES-OAEP (SHA-1 and MGF1-SHA-1, the parameters every AS2 product reads).
    /// The output is binary BER as OpenSSL streams it: the outer structures and the encrypted
    /// content use indefinite lengths, the content as a chunked OCTET STRING. Content is read in
    /// chunks. Algorithms that are not `isSendable` are refused, and so are expired recipient
    /// certificates unless `allowExpiredCertificates`, and empty content with AES-GCM (which
    /// OpenSSL 3.0 cannot handle).
    public static func encrypt(
        content: some ByteSource, recipients: [Certificate], algorithm: ContentEncryptionAlgorithm,
        keyTransport: KeyTransportAlgorithm = .rsaPKCS1v15, to sink: some ByteSink,
        allowExpiredCertificates: Bool = false
    ) throws {
        OpenSSLErrorQueue.clear()
        guard algorithm.isSendable, let cipher = algorithm.evpCipher else {
            throw CryptoError(.unsupportedAlgorithm, "\(algorithm.rawValue) is receive-only and never used to send")
        }
        guard !recipients.isEmpty else { throw CryptoError(.malformedInput, "no recipient certificate") }
        // OpenSSL 3.0 can neither produce nor open AES-GCM envelopes of empty content (an AS2
        // payload is never empty: it is at least a MIME entity's headers).
        if algorithm.isAuthenticated && content.isEmpty {
            throw CryptoError(.malformedInput, "AES-GCM envelopes need non-empty content")
        }
        if !allowExpiredCertificates, let expired = recipients.first(where: { !$0.isValid(at: Date()) }) {
            throw CryptoError(.certificateExpired, "the recipient certificate \(expired.subject) is not valid now (valid \(expired.notBefore) to \(expired.notAfter))")
        }
        let flags = UInt32(CMS_BINARY | CMS_PARTIAL | CMS_STREAM)
        guard let raw = CMS_encrypt(nil, nil, cipher, flags) else {
            throw CryptoError.openssl(.unsupportedAlgorithm, "cannot encrypt with \(algorithm.rawValue)")
        }
        let handle = ContentInfoHandle(taking: raw)
        try handle.withCMS { cms in
            for recipient in recipients {
                let recipientFlags = flags | (keyTransport == .rsaOAEP ? UInt32(CMS_KEY_PARAM) : 0)
                guard let ri = recipient.withX509({ CMS_add1_recipient_cert(cms, $0, recipientFlags) }) else {
                    throw CryptoError.openssl(.unsupportedAlgorithm, "cannot encrypt to \(recipient.subject) (\(recipient.publicKeyDescription))")
                }
                if keyTransport == .rsaOAEP {
                    guard let pctx = CMS_RecipientInfo_get0_pkey_ctx(ri),
                        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) > 0
                    else { throw CryptoError.openssl(.unsupportedAlgorithm, "cannot set up RSAES-OAEP") }
                }
            }
            let out = try MemoryBIO()
            try out.withBIO { outBIO in
                // BIO_new_CMS encrypts what is written and emits BER into `out`; a flush ends it.
                guard let cmsBIO = BIO_new_CMS(outBIO, cms) else { throw CryptoError.openssl("BIO_new_CMS failed") }
                defer {
                    // Free the BIOs BIO_new_CMS stacked on `out`, but not `out` itself.
                    var bio: OpaquePointer? = cmsBIO
                    while let current = bio, current != outBIO {
                        bio = BIO_pop(current)
                        BIO_free(current)
                    }
                }
                let deliver: (UnsafeRawBufferPointer) throws -> Void = { bytes in
                    try mapIOErrors("writing the envelope") { try sink.write(bytes) }
                }
                try mapIOErrors("reading the content to encrypt") {
                    try content.forEachChunk { chunk in
                        let n = chunk.withUnsafeBytes { BIO_write(cmsBIO, $0.baseAddress, Int32($0.count)) }
                        guard n == chunk.count else { throw CryptoError.openssl("encrypting failed") }
                        try out.drain(deliver)
                    }
                }
                guard as2_BIO_flush(cmsBIO) == 1 else { throw CryptoError.openssl("finishing the envelope failed") }
                try out.drain(deliver)
            }
        }
    }
}
