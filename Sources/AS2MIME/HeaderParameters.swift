/// Parses `primary *(";" name "=" value)` header values (RFC 2045 §5.1, RFC 2183 §2) tolerantly:
/// whitespace (also CR/LF left from folding) anywhere between tokens, parameters in any order,
/// quoted or token values, empty segments and a trailing `;`.
enum HeaderParameters {
    struct Parsed {
        var primary: String
        /// Names lowercased; values unquoted with backslash escapes resolved; original order.
        var parameters: [(name: String, value: String)]
    }

    static func parse(_ value: String) -> Parsed {
        let b = Array(value.utf8)
        var i = 0
        func isWS(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 || c == 10 }
        func skipWS() { while i < b.count, isWS(b[i]) { i += 1 } }
        func text(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        func trimmed(_ lo: Int, _ hi: Int) -> String {
            var lo = lo
            var hi = hi
            while lo < hi, isWS(b[lo]) { lo += 1 }
            while hi > lo, isWS(b[hi - 1]) { hi -= 1 }
            return text(lo..<hi)
        }

        let primaryStart = i
        while i < b.count, b[i] != 59 { i += 1 }  // ';'
        var result = Parsed(primary: trimmed(primaryStart, i), parameters: [])

        while i < b.count {
            i += 1  // past ';'
            skipWS()
            let nameStart = i
            while i < b.count, b[i] != 61, b[i] != 59 { i += 1 }  // '=' or ';'
            let name = trimmed(nameStart, i).lowercased()
            guard i < b.count, b[i] == 61 else { continue }  // no '=': a stray word or empty segment
            i += 1
            skipWS()
            var valueText: String
            if i < b.count, b[i] == 34 {  // quoted-string
                i += 1
                var v: [UInt8] = []
                while i < b.count, b[i] != 34 {
                    if b[i] == 92, i + 1 < b.count { i += 1 }  // backslash escape
                    if b[i] != 13, b[i] != 10 { v.append(b[i]) }
                    i += 1
                }
                i += 1  // closing quote (or past the end when unterminated)
                valueText = String(decoding: v, as: UTF8.self)
                while i < b.count, b[i] != 59 { i += 1 }  // ignore anything up to the next ';'
            } else {
                let start = i
                while i < b.count, b[i] != 59 { i += 1 }
                valueText = trimmed(start, i)
            }
            if !name.isEmpty { result.parameters.append((name: name, value: valueText)) }
        }
        return result
    }

    /// True when `value` must be a quoted-string (RFC 2045 tspecials, space, controls, non-ASCII).
    static func needsQuoting(_ value: String) -> Bool {
        if value.isEmpty { return true }
        return value.utf8.contains { c in
            c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?=".utf8.contains(c)
        }
    }

    static func quoted(_ value: String) -> String {
        var out = "\""
        for ch in value.unicodeScalars {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.unicodeScalars.append(ch)
        }
        out.append("\"")
        return out
    }

    /// `name=value`, quoting the value when needed or when `forceQuotes` is set.
    static func serialize(name: String, value: String, forceQuotes: Bool = false) -> String {
        "\(name)=\(forceQuotes || needsQuoting(value) ? quoted(value) : value)"
    }
}
