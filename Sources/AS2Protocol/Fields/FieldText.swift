import Foundation

/// Small text helpers shared by the field parsers.
enum FieldText {
    static func isWhitespace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n" }

    /// `s` without leading and trailing SP, TAB, CR, LF.
    static func trim(_ s: some StringProtocol) -> String {
        guard let first = s.firstIndex(where: { !isWhitespace($0) }), let last = s.lastIndex(where: { !isWhitespace($0) }) else {
            return ""
        }
        return String(s[first...last])
    }

    /// Line breaks (left from folding) and TABs turned into single spaces.
    static func unfold(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x09 }) else { return s }
        return String(s.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" || $0 == "\t" ? " " : $0 })
    }

    /// `s` without one pair of surrounding double quotes.
    static func unquote(_ s: String) -> String {
        if s.count >= 2, s.first == "\"", s.last == "\"" { return String(s.dropFirst().dropLast()) }
        return s
    }

    /// `trimmingCharacters(in: .whitespaces)` without Foundation's NSString bridge for ASCII text
    /// (where `.whitespaces` is SP and TAB): header values and MDN lines of every message go through it.
    static func trimmingWhitespace(_ value: String) -> String { trimmingWhitespace(value[...]) }

    /// As `trimmingWhitespace(_: String)`, for a slice.
    static func trimmingWhitespace(_ value: Substring) -> String {
        let utf8 = value.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return value.trimmingCharacters(in: .whitespaces) }
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
            let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        return String(value[first...last])
    }
}
