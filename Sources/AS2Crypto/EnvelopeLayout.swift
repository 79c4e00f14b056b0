import AS2Bytes

/// Where the parts of an EnvelopedData or AuthEnvelopedData lie in a message, found by walking its
/// BER header without loading the encrypted content (which may be hundreds of MiB, definite or
/// chunked with indefinite lengths).
///
/// `header(…)` rebuilds a small DER ContentInfo with everything but the encrypted content, for
/// OpenSSL to parse; the ciphertext is then pushed through in chunks from `segments`.
struct EnvelopeLayout {
    var isAuthEnveloped: Bool
    var version: [UInt8]
    var originatorInfo: [UInt8]
    var recipientInfos: [UInt8]
    /// EncryptedContentInfo.contentType, verbatim.
    var contentType: [UInt8]
    /// EncryptedContentInfo.contentEncryptionAlgorithm, verbatim.
    var algorithm: [UInt8]
    var algorithmOID: OID
    /// Byte ranges of the encrypted content, in order.
    var segments: [Range<Int>]
    /// The fields after EncryptedContentInfo, verbatim (unprotectedAttrs; or authAttrs, mac, unauthAttrs).
    var trailer: [UInt8]

    /// Largest header part copied into memory (a RecipientInfos of many recipients stays far below).
    static let maxHeaderPart = 4 << 20

    init(parsing source: some ByteSource) throws {
        let r = BERReader(source)
        let limit = source.count
        let contentInfo = try r.expect(DER.sequence, at: 0, limit: limit, "a ContentInfo SEQUENCE")
        let ciLimit = contentInfo.contentEnd ?? limit
        let (type, typeHeader) = try r.oid(at: contentInfo.contentStart, limit: ciLimit)
        switch type {
        case .envelopedData: isAuthEnveloped = false
        case .authEnvelopedData: isAuthEnveloped = true
        default: throw CryptoError(.malformedInput, "CMS content type is \(CMSContentType(oid: type)), not enveloped-data")
        }
        let explicit = try r.expect(DER.context0Constructed, at: typeHeader.contentEnd!, limit: ciLimit, "[0] content")
        let explicitLimit = explicit.contentEnd ?? ciLimit
        let envelope = try r.expect(DER.sequence, at: explicit.contentStart, limit: explicitLimit, "an EnvelopedData SEQUENCE")
        let envLimit = envelope.contentEnd ?? explicitLimit

        let versionHeader = try r.expect(0x02, at: envelope.contentStart, limit: envLimit, "the version INTEGER")
        version = try r.element(versionHeader, limit: envLimit, maxSize: 16)
        var offset = versionHeader.contentEnd!
        var next = try r.header(at: offset, limit: envLimit)
        originatorInfo = []
        if next.identifier == DER.context0Constructed {
            originatorInfo = try r.element(next, limit: envLimit, maxSize: Self.maxHeaderPart)
            offset = try r.end(of: next, limit: envLimit)
            next = try r.header(at: offset, limit: envLimit)
        }
        guard next.identifier == DER.set else { throw CryptoError(.malformedInput, "ASN.1: expected RecipientInfos at offset \(offset)") }
        recipientInfos = try r.element(next, limit: envLimit, maxSize: Self.maxHeaderPart)
        offset = try r.end(of: next, limit: envLimit)

        let eci = try r.expect(DER.sequence, at: offset, limit: envLimit, "an EncryptedContentInfo SEQUENCE")
        let eciLimit = eci.contentEnd ?? envLimit
        let typeField = try r.expect(0x06, at: eci.contentStart, limit: eciLimit, "the encrypted content type")
        contentType = try r.element(typeField, limit: eciLimit, maxSize: 256)
        let algorithmHeader = try r.expect(DER.sequence, at: typeField.contentEnd!, limit: eciLimit, "the content-encryption AlgorithmIdentifier")
        algorithm = try r.element(algorithmHeader, limit: eciLimit, maxSize: 4096)
        algorithmOID = try r.oid(at: algorithmHeader.contentStart, limit: algorithmHeader.contentEnd ?? eciLimit).0
        var inner = try r.end(of: algorithmHeader, limit: eciLimit)

        segments = []
        var hasContent = false
        if inner < (eci.contentEnd ?? Int.max) {
            let content = try r.header(at: inner, limit: eciLimit)
            if !content.isEndOfContents {
                guard content.identifier == DER.context0Primitive || content.identifier == DER.context0Constructed else {
                    throw CryptoError(.malformedInput, "ASN.1: expected [0] encryptedContent at offset \(inner)")
                }
                hasContent = true
                inner = try r.octetStringSegments(content, limit: eciLimit, into: &segments)
            }
        }
        guard hasContent else { throw CryptoError(.malformedInput, "the envelope has no encrypted content (detached content is not supported)") }
        offset = try r.close(eci, at: inner, limit: envLimit)

        var trailerEnd = offset
        while trailerEnd < (envelope.contentEnd ?? Int.max) {
            let field = try r.header(at: trailerEnd, limit: envLimit)
            if field.isEndOfContents { break }
            trailerEnd = try r.end(of: field, limit: envLimit)
        }
        guard trailerEnd - offset <= Self.maxHeaderPart else { throw CryptoError(.malformedInput, "envelope attributes are too large") }
        trailer = try r.bytes(offset..<trailerEnd)
        // A truncated message is refused even when only closing octets are missing.
        let afterEnvelope = try r.close(envelope, at: trailerEnd, limit: explicitLimit)
        let afterExplicit = try r.close(explicit, at: afterEnvelope, limit: ciLimit)
        _ = try r.close(contentInfo, at: afterExplicit, limit: limit)
    }

    /// Total size of the encrypted content.
    var contentLength: Int { segments.reduce(0) { $0 + $1.count } }

    /// A DER ContentInfo with every field except the encrypted content.
    func header() -> [UInt8] {
        Self.contentInfo(
            authEnveloped: isAuthEnveloped,
            fields: version + originatorInfo + recipientInfos + DER.tlv(DER.sequence, contentType + algorithm) + trailer)
    }

    /// The header of the AuthEnvelopedData equivalent to an EnvelopedData whose AES-GCM content
    /// carries its tag at the end (the non-standard packaging some products send): same
    /// recipients and algorithm, `mac` as the authentication tag, no attributes.
    func authEnvelopedHeader(mac: [UInt8]) -> [UInt8] {
        Self.contentInfo(
            authEnveloped: true,
            fields: DER.integer(0) + originatorInfo + recipientInfos + DER.tlv(DER.sequence, contentType + algorithm)
                + DER.tlv(DER.octetString, mac))
    }

    /// The authentication tag length of AES-GCM parameters (RFC 5084: GCMParameters, icvLen DEFAULT 12).
    func gcmTagLength() throws -> Int {
        let r = BERReader(MemoryByteSource(algorithm))
        let seq = try r.expect(DER.sequence, at: 0, limit: algorithm.count, "an AlgorithmIdentifier")
        let seqLimit = seq.contentEnd ?? algorithm.count
        let oidHeader = try r.expect(0x06, at: seq.contentStart, limit: seqLimit, "an OID")
        let params = try r.expect(DER.sequence, at: oidHeader.contentEnd!, limit: seqLimit, "GCMParameters")
        let paramsLimit = params.contentEnd ?? seqLimit
        let nonce = try r.expect(DER.octetString, at: params.contentStart, limit: paramsLimit, "the GCM nonce")
        guard nonce.contentEnd! < paramsLimit else { return 12 }
        let icv = try r.header(at: nonce.contentEnd!, limit: paramsLimit)
        guard icv.identifier == 0x02 else { return 12 }
        let value = try r.content(icv, maxSize: 2).reduce(0) { $0 << 8 | Int($1) }
        guard (12...16).contains(value) else { throw CryptoError(.malformedInput, "GCM tag length \(value) is not 12 to 16") }
        return value
    }

    private static func contentInfo(authEnveloped: Bool, fields: [UInt8]) -> [UInt8] {
        let type = authEnveloped ? OID.authEnvelopedData : OID.envelopedData
        return DER.tlv(DER.sequence, type.der + DER.tlv(DER.context0Constructed, DER.tlv(DER.sequence, fields)))
    }
}
