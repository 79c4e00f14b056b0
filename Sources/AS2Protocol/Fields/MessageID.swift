#if canImport(Glibc)
import Glibc
#endif

/// Message-ID values (RFC 4130 §5.3.3; requirements R-HDR-1, R-HDR-2).
public enum MessageID {
    /// A new globally unique ID, `<random@domain>`: 128 random bits in UUID layout, a domain
    /// reduced to letters, digits, `.`, `-` and `_`; no spaces, quotes or `/`; at most 255 characters.
    public static func generate(domain: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }  // one getrandom
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
        let hex = bytes.map { b in String(b >> 4, radix: 16) + String(b & 15, radix: 16) }.joined()
        let h = Array(hex)
        let uuid = [h[0..<8], h[8..<12], h[12..<16], h[16..<20], h[20..<32]].map { String($0) }.joined(separator: "-")
        var right = String(domain.unicodeScalars.compactMap { s -> Character? in
            let v = s.value
            let ok = (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || s == "." || s == "-" || s == "_"
            return ok ? Character(s) : (v > 32 && v < 127 ? "_" : nil)
        })
        if right.isEmpty { right = "as2-agent" }
        right = String(right.prefix(255 - uuid.count - 3))
        return "<\(uuid)@\(right)>"
    }

    /// The key to look an ID up by: whitespace trimmed and one pair of outer `<` `>` removed, so
    /// IDs with and without brackets (IBM Sterling sends none) match. Never a file name.
    public static func normalizedKey(_ raw: String) -> String {
        var s = Substring(raw)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        if s.count >= 2, s.first == "<", s.last == ">" { s = s.dropFirst().dropLast() }
        return String(s)
    }
}
