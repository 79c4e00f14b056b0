internal import CAS2OpenSSL

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
