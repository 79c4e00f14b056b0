/// Header-list helpers shared by requests and responses: case-insensitive lookup (RFC 9110 §5.1).
enum HTTPHeaderFields {
    static func values(of name: String, in headers: [(String, String)]) -> [String] {
        headers.compactMap { equalsIgnoringCase($0.0, name) ? $0.1 : nil }
    }

    static func contains(_ name: String, in headers: [(String, String)]) -> Bool {
        headers.contains { equalsIgnoringCase($0.0, name) }
    }

    /// ASCII case-insensitive comparison (header names are tokens).
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { lower($0) == lower($1) }
    }

    /// True when a comma-separated header value (e.g. Connection, Expect) lists `token`.
    static func listContains(_ value: String, token: String) -> Bool {
        value.split(separator: ",").contains {
            equalsIgnoringCase($0.trimmingHTTPWhitespace(), token)
        }
    }

    /// A field we may send: the name is a token, the value has no CR, LF or NUL (so it can never
    /// be folded or split into a second field, R-HTTP-10).
    static func isValidField(name: String, value: String) -> Bool {
        isToken(name) && !value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }

    /// An RFC 9110 §5.6.2 token: visible ASCII except delimiters.
    static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            c > 32 && c < 127 && !"\"(),/:;<=>?@[\\]{}".utf8.contains(c)
        }
    }

    private static func lower(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c + 32 : c }
}
