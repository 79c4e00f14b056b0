import AS2Bytes
import AS2Crypto
import AS2MIME
import Foundation

/// Unwraps a received AS2 message layer by layer (requirements §2.1, R-STR-3), verifies and
/// decrypts it, applies the partner's policy, and computes the Received-Content-MIC over the exact
/// bytes received (§3). Pure: bytes in, a typed result out; large layers spool to `workDirectory`.
public enum MessageUnpacker {
    public static func unpack(
        request: InboundRequest,
        body: any ByteSource,
        security: InboundSecurity,
        policy: InboundPolicy,
        workDirectory: String,
        now: Date = Date(),
        memoryThreshold: Int = 4 << 20
    ) -> UnpackResult {
        var run = Unwrapping(
            request: request, security: security, policy: policy, workDirectory: workDirectory, now: now,
            memoryThreshold: memoryThreshold
        )
        do {
            return .accepted(try run.unwrap(body: body))
        } catch let rejection as UnpackRejection {
            return .rejected(rejection)
        } catch {
            return .rejected(run.reject(.unexpectedProcessingError, "processing failed: \(error)"))
        }
    }
}

/// The state of one unwrapping: layers seen so far, and the candidate MIC inputs.
struct Unwrapping {
    let request: InboundRequest
    let security: InboundSecurity
    let policy: InboundPolicy
    let workDirectory: String
    let now: Date
    let memoryThreshold: Int

    var layers: [MessageLayer] = []
    var signer: Certificate?
    var notes: [String] = []
    /// The bytes the signature verified over (the MIC input of a signed message).
    var signedContent: (any ByteSource)?
    var signatureDigest: DigestAlgorithm?
    /// The `signatureDigest` digest of `signedContent`, computed by the verification (when known).
    var signedContentDigest: [UInt8]?
    /// The decrypted / decompressed entity (the MIC input of an unsigned, processed message).
    var unsignedEntity: (any ByteSource)?
    /// The multipart/signed entity as received (evidence of origin).
    var signedEntity: (any ByteSource)?

    init(request: InboundRequest, security: InboundSecurity, policy: InboundPolicy, workDirectory: String, now: Date, memoryThreshold: Int) {
        self.request = request
        self.security = security
        self.policy = policy
        self.workDirectory = workDirectory
        self.now = now
        self.memoryThreshold = memoryThreshold
    }

    func reject(_ error: DispositionError, _ reason: String) -> UnpackRejection {
        UnpackRejection(disposition: error.disposition, reason: reason, layers: layers, signer: signer)
    }

    func spool(limit: Int = Int.max) -> SpoolingSink {
        SpoolingSink(threshold: memoryThreshold, directory: workDirectory, limit: limit)
    }

    mutating func unwrap(body rawBody: any ByteSource) throws -> UnpackedMessage {
        // R-CTE-1/2: the HTTP-level transfer encoding (absent = binary).
        let body = try decodeHTTPTransferEncoding(rawBody)
        var entity = MIMEEntity(headers: request.headers, body: body)
        var isOuter = true
        var depth = 0

        unwrapping: while true {
            depth += 1
            if depth > policy.maxDepth {
                throw reject(.unexpectedProcessingError, "message nests more than \(policy.maxDepth) layers")
            }
            let contentType = entity.contentType ?? ContentType("text/plain")
            switch contentType.mimeType {
            case "application/pkcs7-mime", "application/x-pkcs7-mime":
                let blob = try decodedContent(of: entity, isOuter: isOuter, failure: .unexpectedProcessingError)
                let smimeType = contentType[parameter: "smime-type"]?.lowercased()
                // The ContentInfo OID is authoritative; smime-type and name= are only labels (R-STR-3).
                let kind = (try? CMS.contentType(of: blob)) ?? Self.kind(forSMIMEType: smimeType)
                switch kind {
                case .envelopedData, .authEnvelopedData:
                    entity = try decrypt(blob)
                case .compressedData:
                    entity = try decompress(blob)
                case .signedData:
                    throw reject(.unexpectedProcessingError, "opaque signed-data (smime-type=signed-data) is not supported; send multipart/signed")
                case .data, .other, nil:
                    let failure: DispositionError = smimeType?.contains("enveloped") == true ? .decryptionFailed : .unexpectedProcessingError
                    throw reject(failure, "the application/pkcs7-mime body is not a CMS structure this agent processes")
                }
            case "multipart/signed":
                entity = try verify(entity)
            default:
                break unwrapping
            }
            isOuter = false
        }

        try checkPolicy()
        let mic = try receivedContentMIC(plainBody: body)
        let payload = try decodedContent(of: entity, isOuter: isOuter, failure: .unexpectedProcessingError)
        let originalFilename = entity.headers["Content-Disposition"].flatMap { try? ContentDisposition(parsing: $0) }?.filename
        return UnpackedMessage(
            payload: payload,
            payloadHeaders: entity.headers,
            contentType: entity.headers["Content-Type"] ?? policy.defaultContentType,
            originalFilename: originalFilename,
            filename: originalFilename.flatMap { SafeFilename.sanitize($0) },
            layers: layers,
            signer: signer,
            mic: mic,
            notes: notes,
            signedEntity: signedEntity
        )
    }

    static func kind(forSMIMEType type: String?) -> CMSContentType? {
        switch type {
        case "enveloped-data": return .envelopedData
        case "authenveloped-data": return .authEnvelopedData
        case "compressed-data": return .compressedData
        case "signed-data": return .signedData
        default: return nil
        }
    }

    // MARK: Layers

    mutating func decrypt(_ blob: any ByteSource) throws -> MIMEEntity {
        guard layers.isEmpty else {
            throw reject(.unexpectedProcessingError, "encrypted data inside another layer (encryption must be outermost)")
        }
        let sink = spool()
        let result: DecryptionResult
        do {
            result = try CMS.decrypt(envelope: blob, recipients: security.decryptionIdentities, to: sink)
        } catch let error as CryptoError where error.code == .unsupportedAlgorithm {
            throw reject(.insufficientMessageSecurity, "encryption algorithm not accepted: \(error.message)")
        } catch let error as CryptoError where error.code == .noMatchingRecipient {
            throw reject(.decryptionFailed, "the message is not encrypted to any of our certificates")
        } catch {
            throw reject(.decryptionFailed, "decryption failed: \(error)")
        }
        layers.append(.encrypted(algorithm: result.algorithm, keyTransport: result.keyTransport, recipientFingerprint: result.recipient.sha256Fingerprint))
        let decrypted = try sink.source()
        unsignedEntity = decrypted
        return parseEntity(decrypted, headerless: "decrypted content has no MIME headers")
    }

    mutating func decompress(_ blob: any ByteSource) throws -> MIMEEntity {
        guard !layers.isCompressed else {
            throw reject(.decompressionFailed, "compressed data nested inside compressed data")
        }
        let sink = spool(limit: policy.maxDecompressedBytes)
        do {
            let limits = DecompressionLimits(maxOutputBytes: policy.maxDecompressedBytes, maxRatio: policy.maxCompressionRatio)
            try CMS.decompress(compressed: blob, to: sink, limits: limits)
        } catch {
            throw reject(.decompressionFailed, "decompression failed: \(error)")
        }
        layers.append(.compressed)
        let decompressed = try sink.source()
        if signedContent == nil { unsignedEntity = decompressed }
        return parseEntity(decompressed, headerless: "decompressed content has no MIME headers")
    }

    /// Parses a decrypted or decompressed layer; content without headers is taken as a bare
    /// payload of the default type (R-STR-4).
    mutating func parseEntity(_ source: any ByteSource, headerless note: String) -> MIMEEntity {
        if let entity = try? MIMEEntity.parse(source) { return entity }
        notes.append(note + "; treated as \(policy.defaultContentType)")
        return MIMEEntity(headers: MIMEHeaders([("Content-Type", policy.defaultContentType)]), body: source)
    }

    mutating func verify(_ entity: MIMEEntity) throws -> MIMEEntity {
        guard signedContent == nil else { throw reject(.unexpectedProcessingError, "nested multipart/signed") }
        let contentType = entity.contentType ?? ContentType("multipart/signed")
        let proto = contentType[parameter: "protocol"]?.lowercased() ?? ""
        guard proto == "application/pkcs7-signature" || proto == "application/x-pkcs7-signature" else {
            throw reject(.unexpectedProcessingError, "unsupported signature protocol \"\(proto)\"")
        }
        // Straight out of decryption, a multipart/signed that does not parse is what an altered
        // CBC ciphertext whose padding still checked out decrypts to (about 1 in 256 alterations):
        // decryption-failed, as for a bad padding (requirements case 37).
        let malformed: DispositionError = {
            if case .encrypted? = layers.last { return .decryptionFailed }
            return .unexpectedProcessingError
        }()
        let multipart: Multipart
        do {
            multipart = try Multipart.parse(entity)
        } catch {
            throw reject(malformed, "malformed multipart/signed: \(error)")
        }
        guard multipart.parts.count == 2 else {
            throw reject(malformed, "multipart/signed has \(multipart.parts.count) parts, expected 2")
        }
        if let micalg = contentType[parameter: "micalg"], DigestAlgorithm(micalg: micalg) == nil {
            notes.append("unknown micalg \"\(micalg)\"; the SignerInfo digest algorithm was used")
        }
        let signature = try signatureBytes(multipart.parts[1])
        let firstPart = multipart.parts[0].bytes
        var candidates: [(name: String, bytes: any ByteSource)] = [("as received", firstPart)]
        var (verification, contentDigest) = CMS.verifyDetachedReturningDigest(
            signature: signature, content: firstPart, trusted: security.partnerCertificates, at: now,
            allowExpired: policy.allowExpiredCertificate
        )
        // R-CAN-4: a partner that canonicalized line endings, or added leading empty lines.
        if case .contentDigestMismatch = verification {
            for variant in try canonicalVariants(of: firstPart) {
                let retry = CMS.verifyDetachedReturningDigest(
                    signature: signature, content: variant.bytes, trusted: security.partnerCertificates, at: now,
                    allowExpired: policy.allowExpiredCertificate
                )
                if case .valid = retry.result {
                    (verification, contentDigest) = retry
                    candidates = [variant]
                    notes.append("signature verified over the \(variant.name) first part")
                    break
                }
            }
        }
        switch verification {
        case let .valid(certificate, digest, scheme):
            signer = certificate
            signatureDigest = digest
            signedContent = candidates[0].bytes
            signedContentDigest = contentDigest
            signedEntity = entity.headerRange.isEmpty
                ? ConcatenatedByteSource([MemoryByteSource("Content-Type: \(entity.headers["Content-Type"] ?? "")\r\n\r\n"), entity.body])
                : entity.bytes
            layers.append(.signed(digest: digest, scheme: scheme, signerFingerprint: certificate.sha256Fingerprint))
        case let .contentDigestMismatch(certificate, _):
            signer = certificate
            throw reject(.integrityCheckFailed, "the content does not match the signature's message digest")
        case let .signatureInvalid(reason):
            throw reject(.authenticationFailed, "signature does not verify: \(reason)")
        case let .unknownSigner(reason):
            throw reject(.authenticationFailed, "signed by a certificate not configured for this partner: \(reason)")
        case let .signerCertificateExpired(certificate):
            throw reject(.authenticationFailed, "the partner's signing certificate \(certificate.sha256Fingerprint) is not valid now (expires \(certificate.notAfter))")
        case let .unsupportedAlgorithm(reason):
            throw reject(.insufficientMessageSecurity, "signature algorithm not accepted: \(reason)")
        case let .malformed(reason):
            throw reject(.authenticationFailed, "malformed signature: \(reason)")
        }
        do {
            return try MIMEEntity.parse(multipart.parts[0].bytes)
        } catch {
            throw reject(.unexpectedProcessingError, "the signed part is not a MIME entity: \(error)")
        }
    }

    /// The detached signature's DER bytes; a missing CTE is binary unless it looks like base64 (R-CTE-3).
    func signatureBytes(_ part: MIMEEntity) throws -> [UInt8] {
        let raw = part.body
        do {
            switch part.transferEncoding {
            case "base64":
                let sink = MemorySink(limit: 16 << 20)
                try TransferEncoding.decodeBase64(raw, to: sink)
                return sink.bytes
            case nil, "binary", "7bit", "8bit":
                let bytes = try raw.readAll(limit: 16 << 20)
                if let first = bytes.first, first != 0x30, bytes.allSatisfy(Self.isBase64OrSpace) {
                    return try TransferEncoding.decodeBase64(String(decoding: bytes, as: UTF8.self))
                }
                return bytes
            default:
                let sink = MemorySink(limit: 16 << 20)
                try TransferEncoding.decode(part, to: sink)
                return sink.bytes
            }
        } catch {
            throw reject(.authenticationFailed, "the signature part cannot be decoded: \(error)")
        }
    }

    static func isBase64OrSpace(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2B || b == 0x2F || b == 0x3D || b == 0x0D || b == 0x0A || b == 0x20 || b == 0x09
    }

    /// The alternative byte sequences R-CAN-4 allows: bare LF → CRLF, and leading CRLFs removed.
    func canonicalVariants(of part: any ByteSource) throws -> [(name: String, bytes: any ByteSource)] {
        var variants: [(name: String, bytes: any ByteSource)] = []
        let sink = spool()
        var previous: UInt8 = 0
        var changed = false
        try part.forEachChunk { chunk in
            var out: [UInt8] = []
            out.reserveCapacity(chunk.count + chunk.count / 32)
            for b in chunk {
                if b == 0x0A && previous != 0x0D {
                    out.append(0x0D)
                    changed = true
                }
                out.append(b)
                previous = b
            }
            try sink.write(out)
        }
        if changed { variants.append(("CRLF-canonicalized", try sink.source())) }
        let head = try part.read(at: 0, length: 64)
        var skip = 0
        while skip + 1 < head.count, head[skip] == 0x0D, head[skip + 1] == 0x0A { skip += 2 }
        if skip > 0 { variants.append(("leading-CRLF-trimmed", part.slice(skip..<part.count))) }
        return variants
    }

    // MARK: Transfer encodings

    func decodeHTTPTransferEncoding(_ body: any ByteSource) throws -> any ByteSource {
        let cte = request.headers["Content-Transfer-Encoding"].map(FieldText.trimmingWhitespace)?.lowercased()
        switch cte {
        case nil, "", "binary", "7bit", "8bit":
            return body
        case "base64":
            let sink = spool()
            do { try TransferEncoding.decodeBase64(body, to: sink) } catch {
                throw reject(.unexpectedProcessingError, "the body is not valid base64 (Content-Transfer-Encoding: base64): \(error)")
            }
            return try sink.source()
        case "quoted-printable":
            let sink = spool()
            do { try TransferEncoding.decodeQuotedPrintable(body, to: sink) } catch {
                throw reject(.unexpectedProcessingError, "the body is not valid quoted-printable: \(error)")
            }
            return try sink.source()
        default:
            throw reject(.unexpectedProcessingError, "unsupported Content-Transfer-Encoding \"\(cte ?? "")\"")
        }
    }

    /// An entity's body with its Content-Transfer-Encoding removed. The outer entity's encoding
    /// was already removed at the HTTP level.
    func decodedContent(of entity: MIMEEntity, isOuter: Bool, failure: DispositionError) throws -> any ByteSource {
        if isOuter { return entity.body }
        switch entity.transferEncoding {
        case nil, "binary", "7bit", "8bit":
            return entity.body
        default:
            let sink = spool()
            do { try TransferEncoding.decode(entity, to: sink) } catch {
                throw reject(failure, "cannot decode Content-Transfer-Encoding \(entity.transferEncoding ?? ""): \(error)")
            }
            return try sink.source()
        }
    }

    // MARK: Policy and MIC

    func checkPolicy() throws {
        if let signature = layers.signature {
            if signature.digest < policy.minimumSignatureDigest {
                throw reject(.insufficientMessageSecurity, "signed with \(signature.digest.rawValue); this partner requires \(policy.minimumSignatureDigest.rawValue) or stronger")
            }
        } else if policy.requireSignature {
            throw reject(.insufficientMessageSecurity, "the message is not signed; this partner's policy requires a signature")
        }
        if let encryption = layers.encryption {
            if encryption.algorithm < policy.minimumEncryption {
                throw reject(.insufficientMessageSecurity, "encrypted with \(encryption.algorithm.rawValue); this partner requires \(policy.minimumEncryption.rawValue) or stronger")
            }
        } else if policy.requireEncryption {
            throw reject(.insufficientMessageSecurity, "the message is not encrypted; this partner's policy requires encryption")
        }
    }

    /// Requirements §3.2 (what is hashed) and §3.4 (with which algorithm).
    func receivedContentMIC(plainBody: any ByteSource) throws -> ReceivedContentMIC {
        let requested = request.mdnRequest?.micAlgorithms ?? []
        let algorithm: DigestAlgorithm
        let input: any ByteSource
        if let signedContent, let signatureDigest {
            algorithm = requested.isEmpty || requested.contains(signatureDigest) ? signatureDigest : requested[0]
            input = signedContent
        } else {
            algorithm = requested.first ?? .sha1
            input = unsignedEntity ?? plainBody
        }
        // A signed message's MIC under its signing digest is the digest the verification computed
        // over the same bytes (§3.2: the MIC input is what the signature covers).
        let digest = try (algorithm == signatureDigest && signedContent != nil ? signedContentDigest : nil)
            ?? Digest.compute(algorithm, over: input)
        // Echo the partner's spelling of the algorithm when it asked for this one (R-MICFMT-1).
        let requestedName = (request.mdnRequest?.options?.signedReceiptMICAlgorithms?.names ?? [])
            .first { DigestAlgorithm(micalg: $0) == algorithm }
        return ReceivedContentMIC(digest: digest, algorithm: algorithm, name: requestedName ?? algorithm.micalgName)
    }
}
