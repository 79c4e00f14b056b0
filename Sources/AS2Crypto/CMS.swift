import AS2Bytes
internal import CAS2OpenSSL

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

/// Owner of an OpenSSL `CMS_ContentInfo`.
final class ContentInfoHandle {
    private let cms: OpaquePointer

    init(taking cms: OpaquePointer) { self.cms = cms }

    /// Parses DER/BER bytes; nil (with the reason on the error queue) when they do not parse.
    convenience init?(parsing bytes: [UInt8]) {
        guard let cms = DEREncoding.decode(bytes, { d2i_CMS_ContentInfo(nil, $0, $1) }) else { return nil }
        self.init(taking: cms)
    }

    deinit { CMS_ContentInfo_free(cms) }

    /// Runs `body` with the pointer, keeping this owner alive for the call.
    func withCMS<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(cms) }
    }

    /// The DER (or, for streamed parts, BER) encoding.
    func encoded() throws -> [UInt8] {
        try withCMS { cms in try DEREncoding.encode("CMS structure") { i2d_CMS_ContentInfo(cms, $0) } }
    }
}

/// Wraps `ByteError`s from reading a source or writing a sink as `.io` errors.
func mapIOErrors<R>(_ what: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as ByteError {
        throw CryptoError(.io, "\(what): \(error)")
    }
}
