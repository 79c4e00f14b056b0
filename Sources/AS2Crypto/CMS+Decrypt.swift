import AS2Bytes
internal import CAS2OpenSSL

extension CMS {
    /// Decrypts an EnvelopedData or AuthEnvelopedData (DER or BER, definite or indefinite lengths)
    /// into `sink`, using whichever of `recipients` it was encrypted to.
    ///
    /// The RecipientInfo is matched against each identity's certificate by issuer and serial or by
    /// subjectKeyIdentifier, and only that RecipientInfo is unwrapped, with its real result: a key
    /// that does not unwrap is `.decryptionFailed`, never content decrypted with a random key. RSAES-OAEP
    /// without parameters (pyas2lib) is read with the RFC 4055 defaults. AES-GCM
    /// inside EnvelopedData with the tag appended (as some products send it) is accepted. The
    /// ciphertext is read in chunks and plaintext written as it comes, so on a throw the sink holds
    /// partial output the caller must discard. Errors: `.noMatchingRecipient`, `.decryptionFailed`
    /// (wrong key, bad padding, bad tag), `.unsupportedAlgorithm`, `.malformedInput`, `.io`.
    public static func decrypt(envelope: some ByteSource, recipients: [Identity], to sink: some ByteSink) throws -> DecryptionResult {
        OpenSSLErrorQueue.clear()
        let layout = try mapIOErrors("reading the envelope") { try EnvelopeLayout(parsing: envelope) }
        guard let algorithm = ContentEncryptionAlgorithm(oid: layout.algorithmOID.dotted) else {
            throw CryptoError(.unsupportedAlgorithm, "content-encryption algorithm \(layout.algorithmOID) is not supported")
        }
        if algorithm.needsLegacyProvider && !LegacyProvider.isLoaded {
            throw CryptoError(.unsupportedAlgorithm, "\(algorithm.rawValue) needs OpenSSL's legacy provider, which is not installed")
        }

        // AES-GCM labelled EnvelopedData: the last icvLen bytes of the content are the tag.
        var segments = layout.segments
        let header: [UInt8]
        let tagInContent = !layout.isAuthEnveloped && algorithm.isAuthenticated
        if tagInContent {
            let tagLength = try layout.gcmTagLength()
            guard layout.contentLength >= tagLength else { throw CryptoError(.decryptionFailed, "GCM content shorter than its tag") }
            var tag: [UInt8] = []
            var keep = layout.contentLength - tagLength
            var trimmed: [Range<Int>] = []
            for segment in segments {
                if keep >= segment.count {
                    trimmed.append(segment)
                    keep -= segment.count
                } else {
                    if keep > 0 { trimmed.append(segment.lowerBound..<(segment.lowerBound + keep)) }
                    let tail = (segment.lowerBound + keep)..<segment.upperBound
                    tag += try mapIOErrors("reading the envelope") { try envelope.read(at: tail.lowerBound, length: tail.count) }
                    keep = 0
                }
            }
            segments = trimmed
            header = layout.authEnvelopedHeader(mac: tag)
        } else {
            header = layout.header()
        }

        guard let handle = ContentInfoHandle(parsing: header) else {
            throw CryptoError.openssl(.malformedInput, "the envelope header does not parse")
        }
        return try handle.withCMS { cms in
            let (identity, ri) = try matchRecipient(cms, recipients)
            var keyAlgor: UnsafeMutablePointer<X509_ALGOR>?
            CMS_RecipientInfo_ktri_get0_algs(ri, nil, nil, &keyAlgor)
            let keyOID = algorithmOID(keyAlgor.map { UnsafePointer($0) })
            guard let keyTransport = KeyTransportAlgorithm(oid: keyOID) else {
                throw CryptoError(.unsupportedAlgorithm, "key transport algorithm \(keyOID) is not supported")
            }
            if keyTransport == .rsaOAEP, let keyAlgor { try defaultAbsentOAEPParameters(keyAlgor) }
            OpenSSLErrorQueue.clear()
            // Not CMS_decrypt_set1_pkey_and_peer: with a certificate and without CMS_DEBUG_DECRYPT it
            // reports success when the key does not unwrap (and the content is then decrypted with a
            // random key: garbage that passes the CBC padding check about once in 256 tries). The
            // RecipientInfo is already matched, so unwrap it directly and take the real result.
            let unwrapped = identity.privateKey.withPKey { key -> Int32 in
                guard EVP_PKEY_up_ref(key) == 1 else { return 0 }
                CMS_RecipientInfo_set0_pkey(ri, key)
                defer { CMS_RecipientInfo_set0_pkey(ri, nil) }
                return CMS_RecipientInfo_decrypt(cms, ri)
            }
            guard unwrapped == 1 else {
                throw CryptoError.openssl(.decryptionFailed, "the content-encryption key does not decrypt with the key of \(identity.certificate.subject)")
            }
            try pushCiphertext(cms, from: envelope, segments: segments, to: sink)
            return DecryptionResult(
                algorithm: algorithm, keyTransport: keyTransport, recipient: identity.certificate,
                wasAuthEnveloped: layout.isAuthEnveloped)
        }
    }

    /// RFC 4055 §4.1 requires RSAES-OAEP-params in a RecipientInfo; pyas2lib (1.4.4) leaves them
    /// out. Absent parameters are read as the defaults the sender used (SHA-1, MGF1 with SHA-1, an
    /// empty label), written as the empty SEQUENCE that means exactly that, so OpenSSL unwraps the key.
    private static func defaultAbsentOAEPParameters(_ algor: UnsafeMutablePointer<X509_ALGOR>) throws {
        var parameterType: Int32 = 0
        X509_ALGOR_get0(nil, &parameterType, nil, algor)
        guard parameterType == V_ASN1_UNDEF || parameterType == V_ASN1_NULL else { return }
        guard let empty = ASN1_STRING_new() else { throw CryptoError.openssl(.decryptionFailed, "out of memory") }
        let emptySequence: [UInt8] = [0x30, 0x00]
        guard ASN1_STRING_set(empty, emptySequence, Int32(emptySequence.count)) == 1,
              X509_ALGOR_set0(algor, OBJ_nid2obj(NID_rsaesOaep), V_ASN1_SEQUENCE, empty) == 1
        else {
            ASN1_STRING_free(empty)
            throw CryptoError.openssl(.decryptionFailed, "cannot read the RSAES-OAEP parameters")
        }
    }

    /// The first identity (in the given order) whose certificate a key-transport RecipientInfo names.
    private static func matchRecipient(_ cms: OpaquePointer, _ recipients: [Identity]) throws -> (Identity, OpaquePointer) {
        guard let infos = CMS_get0_RecipientInfos(cms) else { throw CryptoError.openssl(.malformedInput, "no RecipientInfos") }
        let count = as2_sk_CMS_RecipientInfo_num(infos)
        for identity in recipients {
            for i in 0..<count {
                guard let ri = as2_sk_CMS_RecipientInfo_value(infos, i), CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS else { continue }
                if identity.certificate.withX509({ CMS_RecipientInfo_ktri_cert_cmp(ri, $0) }) == 0 { return (identity, ri) }
            }
        }
        var names: [String] = []
        for i in 0..<count {
            guard let ri = as2_sk_CMS_RecipientInfo_value(infos, i) else { continue }
            names.append(recipientIdentifier(ri))
        }
        throw CryptoError(.noMatchingRecipient, "encrypted for \(names.joined(separator: "; ")), none of which is one of our \(recipients.count) certificate(s)")
    }

    private static func recipientIdentifier(_ ri: OpaquePointer) -> String {
        guard CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS else { return "a non-RSA recipient (type \(CMS_RecipientInfo_type(ri)))" }
        var keyID: UnsafeMutablePointer<ASN1_OCTET_STRING>?
        var issuer: OpaquePointer?
        var serial: UnsafeMutablePointer<ASN1_INTEGER>?
        guard CMS_RecipientInfo_ktri_get0_signer_id(ri, &keyID, &issuer, &serial) == 1 else { return "an unreadable recipient" }
        if let keyID { return "subjectKeyIdentifier \(Hex.encode(asn1StringBytes(UnsafePointer(keyID))))" }
        return "issuer \"\(Certificate.format(issuer))\" serial \(serial.map { Hex.encode(asn1StringBytes(UnsafePointer($0))) } ?? "?")"
    }

    /// Feeds the ciphertext through OpenSSL's decrypting BIO in chunks and writes the plaintext to
    /// `sink`; checks padding or tag at the end.
    private static func pushCiphertext(_ cms: OpaquePointer, from envelope: some ByteSource, segments: [Range<Int>], to sink: some ByteSink) throws {
        guard let input = BIO_new(BIO_s_mem()) else { throw CryptoError.openssl("BIO_new failed") }
        guard let plain = CMS_dataInit(cms, input) else {
            BIO_free(input)
            throw CryptoError.openssl(.decryptionFailed, "cannot set up decryption")
        }
        defer { BIO_free_all(plain) }  // frees `input` too

        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        /// Reads all plaintext available now; returns BIO_read's last result (0 = end, <0 = wait).
        func pump() throws -> Int32 {
            while true {
                let n = buffer.withUnsafeMutableBytes { BIO_read(plain, $0.baseAddress, Int32($0.count)) }
                guard n > 0 else { return n }
                try buffer.withUnsafeBytes { bytes in
                    try mapIOErrors("writing the decrypted content") { try sink.write(UnsafeRawBufferPointer(rebasing: bytes[0..<Int(n)])) }
                }
            }
        }
        for segment in segments {
            var offset = segment.lowerBound
            while offset < segment.upperBound {
                let chunk = try mapIOErrors("reading the envelope") {
                    try envelope.read(at: offset, length: min(defaultChunkSize, segment.upperBound - offset))
                }
                guard !chunk.isEmpty else { throw CryptoError(.io, "the envelope ended early at offset \(offset)") }
                let written = chunk.withUnsafeBytes { BIO_write(input, $0.baseAddress, Int32($0.count)) }
                guard written == chunk.count else { throw CryptoError.openssl("buffering ciphertext failed") }
                offset += chunk.count
                let n = try pump()
                if n < 0 && as2_BIO_should_retry(plain) == 0 { throw CryptoError.openssl(.decryptionFailed, "decryption failed") }
            }
        }
        _ = as2_BIO_set_mem_eof_return(input, 0)
        guard try pump() == 0 else { throw CryptoError.openssl(.decryptionFailed, "decryption failed at the end of the content") }
        guard as2_BIO_get_cipher_status(plain) == 1 else {
            throw CryptoError.openssl(.decryptionFailed, "the decrypted content does not check out (bad padding or authentication tag: wrong key or altered ciphertext)")
        }
    }
}
