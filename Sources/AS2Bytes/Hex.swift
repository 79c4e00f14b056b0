/// Lowercase hexadecimal text of bytes (digests, fingerprints, serial numbers, identifiers): the
/// one encoder every module uses.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lowercase hex, each pair after the first preceded by `separator` (none, or
    /// `:` for fingerprints).
    public static func encode(_ bytes: some Sequence<UInt8>, separator: UInt8? = nil) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 3)
        for (i, b) in bytes.enumerated() {
            if i > 0, let separator { out.append(separator) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
