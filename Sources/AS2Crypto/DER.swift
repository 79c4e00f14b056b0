/// The few DER encoding helpers AS2Crypto needs to write CMS structures itself.
enum DER {
    /// Encodes a definite length.
    static func length(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        var bytes: [UInt8] = []
        var rest = n
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xff), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// A complete tag-length-value with a definite length.
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    /// The header of a tag-length-value whose content (of `length` bytes) follows separately.
    static func header(_ tag: UInt8, length n: Int) -> [UInt8] { [tag] + length(n) }

    /// INTEGER with a small non-negative value.
    static func integer(_ value: UInt8) -> [UInt8] {
        value < 0x80 ? [0x02, 0x01, value] : [0x02, 0x02, 0x00, value]
    }

    /// Tags used in CMS.
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31
    static let octetString: UInt8 = 0x04
    static let null: UInt8 = 0x05
    /// [0] constructed (EXPLICIT content, or an IMPLICIT constructed OCTET STRING).
    static let context0Constructed: UInt8 = 0xA0
    /// [0] primitive (IMPLICIT OCTET STRING).
    static let context0Primitive: UInt8 = 0x80
    /// End-of-contents octets closing an indefinite length.
    static let endOfContents: [UInt8] = [0x00, 0x00]
}
