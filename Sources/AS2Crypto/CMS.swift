import AS2Bytes

/// CMS (RFC 5652) operations for AS2: detached signatures, enveloping (RFC 5652 EnvelopedData and
/// RFC 5083 AuthEnvelopedData) and compression (RFC 3274). Contents are `ByteSource`s read in
/// chunks and outputs go to `ByteSink`s, so message size does not drive memory use. Every
/// operation passes `CMS_BINARY`: the bytes signed or encrypted are exactly the bytes given.
public enum CMS {
    /// The content type a ContentInfo announces, read from its first bytes (DER or BER with
    /// indefinite lengths). Throws `.malformedInput` when the bytes are not a ContentInfo.
    public static func contentType(of source: some ByteSource) throws -> CMSContentType {
        let reader = BERReader(source)
        let limit = source.count
        let outer = try reader.expect(DER.sequence, at: 0, limit: limit, "a ContentInfo SEQUENCE")
        let (oid, _) = try reader.oid(at: outer.contentStart, limit: outer.contentEnd ?? limit)
        return CMSContentType(oid: oid)
    }
}
