/// Byte-level helpers for the ASCII grammar of MIME headers.
enum ASCII {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9

    static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab }

    /// RFC 5322 ftext: printable ASCII except `:`.
    static func isFieldNameByte(_ b: UInt8) -> Bool { b >= 33 && b <= 126 && b != 58 }

    static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b + 32 : b }

    static func caseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { lower($0) == lower($1) }
    }

    /// `s` without leading and trailing SP, TAB, CR and LF.
    static func trim(_ s: Substring) -> Substring {
        let ws: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = s.firstIndex(where: { !ws($0) }) else { return s[s.endIndex...] }
        let last = s.lastIndex(where: { !ws($0) })!
        return s[first...last]
    }

    static func trim(_ s: String) -> String { String(trim(s[...])) }
}
