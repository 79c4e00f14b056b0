/// An AS2 identity as carried in AS2-From / AS2-To (RFC 4130 §6.2): 1–128 printable ASCII
/// characters or spaces. Compared exactly, case-sensitively (requirements R-ID-4).
public struct AS2Name: Hashable, Sendable, CustomStringConvertible {
    /// The decoded name (quotes and escapes of the header form removed).
    public let value: String

    /// Validates a decoded name (R-ID-1): 1–128 characters, each printable ASCII (0x21–0x7E) or a
    /// space; no controls, no non-ASCII.
    public init(_ value: String) throws {
        let scalars = value.unicodeScalars
        guard !scalars.isEmpty else { throw AS2FieldError(.invalidAS2Name, "the AS2 name is empty") }
        guard scalars.count <= 128 else {
            throw AS2FieldError(.invalidAS2Name, "the AS2 name has \(scalars.count) characters; at most 128 are allowed")
        }
        for s in scalars {
            if s.value < 0x20 || s.value == 0x7F {
                throw AS2FieldError(.invalidAS2Name, "the AS2 name contains the control character U+\(Self.hex(s.value))")
            }
            if s.value > 0x7E {
                throw AS2FieldError(.invalidAS2Name, "the AS2 name contains the non-ASCII character U+\(Self.hex(s.value))")
            }
        }
        self.value = value
    }

    /// Decodes an AS2-From / AS2-To header value (R-ID-3): trims outer whitespace; a value in
    /// double quotes is unquoted with `\"` and `\\` resolved (no other escapes exist); an atomic
    /// value may not contain spaces, `"` or `\`. Then validates as `init(_:)`.
    public init(headerValue: String) throws {
        let raw = Array(headerValue.unicodeScalars)
        var lo = 0
        var hi = raw.count
        while lo < hi, raw[lo] == " " || raw[lo] == "\t" { lo += 1 }
        while hi > lo, raw[hi - 1] == " " || raw[hi - 1] == "\t" { hi -= 1 }
        let trimmed = raw[lo..<hi]
        guard !trimmed.isEmpty else { throw AS2FieldError(.invalidAS2Name, "the AS2 name is empty") }
        var decoded = String.UnicodeScalarView()
        if trimmed.count >= 2, trimmed.first == "\"", trimmed.last == "\"" {
            var i = trimmed.startIndex + 1
            let end = trimmed.endIndex - 1
            while i < end {
                let s = trimmed[i]
                if s == "\\" {
                    guard i + 1 < end, trimmed[i + 1] == "\"" || trimmed[i + 1] == "\\" else {
                        throw AS2FieldError(.invalidAS2Name, "the quoted AS2 name has a backslash not followed by \" or \\")
                    }
                    decoded.append(trimmed[i + 1])
                    i += 2
                } else if s == "\"" {
                    throw AS2FieldError(.invalidAS2Name, "the quoted AS2 name has an unescaped \" inside")
                } else {
                    decoded.append(s)
                    i += 1
                }
            }
        } else {
            for s in trimmed {
                if s == " " || s == "\t" {
                    throw AS2FieldError(.invalidAS2Name, "the AS2 name \"\(headerValue)\" contains whitespace but is not quoted")
                }
                if s == "\"" || s == "\\" {
                    throw AS2FieldError(.invalidAS2Name, "the AS2 name \"\(headerValue)\" contains \(s) but is not quoted")
                }
                decoded.append(s)
            }
        }
        try self.init(String(decoded))
    }

    /// The header form (R-ID-2): the name as is when it is atomic, else in double quotes with `"`
    /// and `\` escaped.
    public var headerValue: String {
        let atomic = value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }
        if atomic { return value }
        var out = "\""
        for s in value.unicodeScalars {
            if s == "\"" || s == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(s)
        }
        return out + "\""
    }

    public var description: String { value }

    private static func hex(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
