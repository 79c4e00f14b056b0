/// An ASN.1 OBJECT IDENTIFIER in dotted form, with its DER encoding. Used where AS2Crypto reads or
/// writes CMS structures itself (content types, CompressedData, envelope headers).
struct OID: Hashable, CustomStringConvertible, Sendable {
    let dotted: String

    init(_ dotted: String) { self.dotted = dotted }

    /// Decodes the content octets of an OBJECT IDENTIFIER (no tag or length).
    init?(content: [UInt8]) {
        guard !content.isEmpty, content.last! & 0x80 == 0 else { return nil }
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        for byte in content {
            guard value >> 56 == 0 else { return nil }
            value = (value << 7) | UInt64(byte & 0x7f)
            if byte & 0x80 == 0 {
                arcs.append(value)
                value = 0
            }
        }
        let first = arcs[0]
        let head: [UInt64] = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
        dotted = (head + arcs.dropFirst()).map(String.init).joined(separator: ".")
    }

    var description: String { dotted }

    /// Content octets of the DER encoding.
    var contentOctets: [UInt8] {
        let arcs = dotted.split(separator: ".").compactMap { UInt64($0) }
        guard arcs.count >= 2 else { return [] }
        var out: [UInt8] = []
        for arc in [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7f)]
            var rest = arc >> 7
            while rest > 0 {
                chunk.insert(UInt8(rest & 0x7f) | 0x80, at: 0)
                rest >>= 7
            }
            out += chunk
        }
        return out
    }

    /// The complete DER TLV.
    var der: [UInt8] { DER.tlv(0x06, contentOctets) }

    // PKCS #7 / CMS content types (RFC 5652, RFC 5083, RFC 3274).
    static let data = OID("1.2.840.113549.1.7.1")
    static let signedData = OID("1.2.840.113549.1.7.2")
    static let envelopedData = OID("1.2.840.113549.1.7.3")
    static let authEnvelopedData = OID("1.2.840.113549.1.9.16.1.23")
    static let compressedData = OID("1.2.840.113549.1.9.16.1.9")
    /// id-alg-zlibCompress (RFC 3274 §2).
    static let zlibCompress = OID("1.2.840.113549.1.9.16.3.8")

    // Key transport (RFC 8017).
    static let rsaEncryption = OID("1.2.840.113549.1.1.1")
    static let rsaesOAEP = OID("1.2.840.113549.1.1.7")
    static let rsassaPSS = OID("1.2.840.113549.1.1.10")
}
