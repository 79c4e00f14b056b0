import AS2Bytes

/// Where the fields of a SignedData ContentInfo lie (RFC 5652 §5.1), found with `BERReader`, so
/// that its `certificates` can be left out before OpenSSL parses it.
///
/// Embedded certificates are never trusted (only configured ones are), yet OpenSSL 3.0 decodes
/// every one's public key through its provider decoders while parsing: most of the cost of parsing
/// a signature. The other fields are copied verbatim (BER indefinite lengths included) into a new
/// definite-length ContentInfo, so the SignerInfos and what they sign are unchanged.
struct SignedDataLayout {
    /// The SignedData fields before `certificates` (version, digestAlgorithms, encapContentInfo).
    let head: Range<Int>
    /// The `certificates [0] IMPLICIT CertificateSet` element, if present.
    let certificates: Range<Int>?
    /// The fields after it (crls, signerInfos).
    let tail: Range<Int>

    /// Walks `bytes`; throws when they are not one complete SignedData ContentInfo with nothing after it.
    init(parsing bytes: [UInt8]) throws {
        let r = BERReader(MemoryByteSource(bytes))
        let limit = bytes.count
        let contentInfo = try r.expect(DER.sequence, at: 0, limit: limit, "a ContentInfo SEQUENCE")
        let ciLimit = contentInfo.contentEnd ?? limit
        let (type, typeHeader) = try r.oid(at: contentInfo.contentStart, limit: ciLimit)
        guard type == .signedData else { throw CryptoError(.malformedInput, "CMS content type is \(CMSContentType(oid: type)), not signed-data") }
        let explicit = try r.expect(DER.context0Constructed, at: typeHeader.contentEnd!, limit: ciLimit, "[0] content")
        let explicitLimit = explicit.contentEnd ?? ciLimit
        let signedData = try r.expect(DER.sequence, at: explicit.contentStart, limit: explicitLimit, "a SignedData SEQUENCE")
        let sdLimit = signedData.contentEnd ?? explicitLimit

        var offset = signedData.contentStart
        var certificates: Range<Int>?
        while offset < (signedData.contentEnd ?? Int.max) {
            let field = try r.header(at: offset, limit: sdLimit)
            if field.isEndOfContents { break }
            let end = try r.end(of: field, limit: sdLimit)
            // The only [0] among SignedData's fields (version is an INTEGER, never [0]).
            if field.identifier == DER.context0Constructed {
                guard certificates == nil else { throw CryptoError(.malformedInput, "ASN.1: two certificate sets in SignedData") }
                certificates = offset..<end
            }
            offset = end
        }
        let fieldsEnd = offset
        let afterSignedData = try r.close(signedData, at: fieldsEnd, limit: explicitLimit)
        let afterExplicit = try r.close(explicit, at: afterSignedData, limit: ciLimit)
        let end = try r.close(contentInfo, at: afterExplicit, limit: limit)
        guard end == limit else { throw CryptoError(.malformedInput, "ASN.1: bytes after the SignedData") }
        self.certificates = certificates
        head = signedData.contentStart..<(certificates?.lowerBound ?? fieldsEnd)
        tail = (certificates?.upperBound ?? fieldsEnd)..<fieldsEnd
    }

    /// The same ContentInfo without `certificates`.
    func withoutCertificates(_ bytes: [UInt8]) -> [UInt8] {
        DER.tlv(
            DER.sequence,
            OID.signedData.der + DER.tlv(DER.context0Constructed, DER.tlv(DER.sequence, Array(bytes[head]) + Array(bytes[tail]))))
    }

    /// `bytes` without their embedded certificates, or `bytes` unchanged when they have none or
    /// do not parse here (OpenSSL then parses, or refuses, the original).
    static func strippingCertificates(_ bytes: [UInt8]) -> [UInt8] {
        guard let layout = try? SignedDataLayout(parsing: bytes), layout.certificates != nil else { return bytes }
        return layout.withoutCertificates(bytes)
    }
}
