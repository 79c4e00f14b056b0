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
        String(s.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" || $0 == "\t" ? " " : $0 })
    }

    /// `s` without one pair of surrounding double quotes.
    static func unquote(_ s: String) -> String {
        if s.count >= 2, s.first == "\"", s.last == "\"" { return String(s.dropFirst().dropLast()) }
        return s
    }
}
