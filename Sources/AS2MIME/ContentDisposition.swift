/// A Content-Disposition value (RFC 2183): `attachment` or `inline` plus parameters; knows the
/// RFC 2231 `filename*` form for non-ASCII names.
public struct ContentDisposition: Sendable, Equatable, CustomStringConvertible {
    /// Lowercased (`attachment`, `inline`, …).
    public var type: String
    /// Names lowercased, values unquoted, in original order.
    public var parameters: [(name: String, value: String)]

    /// Parses a header value; throws `.invalidContentType` when there is no disposition type.
    public init(parsing value: String) throws {
        let parsed = HeaderParameters.parse(value)
        guard !parsed.primary.isEmpty, !parsed.primary.contains("=") else {
            throw MIMEError.invalidContentType("Content-Disposition \"\(value)\" has no disposition type")
        }
        type = parsed.primary.lowercased()
        parameters = parsed.parameters
    }

    public init(type: String = "attachment", filename: String? = nil) {
        self.type = type.lowercased()
        parameters = filename.map { [(name: "filename", value: $0)] } ?? []
    }

    /// The value of the first parameter named `name` (case-insensitive), as written.
    public subscript(parameter name: String) -> String? {
        let n = name.lowercased()
        return parameters.first { $0.name == n }?.value
    }

    /// The file name: `filename*` (RFC 2231, also split into `filename*0*`, `filename*1`, …) when
    /// present and decodable, else `filename`. Not sanitised: never use it as a path as is.
    public var filename: String? {
        if let extended = Self.decodeExtended(parameters, name: "filename") { return extended }
        return self[parameter: "filename"]
    }

    /// The header value: `filename` always quoted; a non-ASCII name is sent as an ASCII fallback
    /// in `filename` plus `filename*=UTF-8''…` (RFC 2231 / RFC 6266).
    public var headerValue: String {
        var out = type
        for p in parameters {
            if p.name == "filename" {
                if p.value.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) {
                    out += "; filename=" + HeaderParameters.quoted(p.value)
                } else {
                    let fallback = String(p.value.unicodeScalars.map { $0.isASCII && $0.value >= 32 && $0.value < 127 ? Character($0) : "_" })
                    out += "; filename=" + HeaderParameters.quoted(fallback)
                    out += "; filename*=UTF-8''" + Self.percentEncode(p.value)
                }
            } else {
                out += "; " + HeaderParameters.serialize(name: p.name, value: p.value)
            }
        }
        return out
    }

    public var description: String { headerValue }

    public static func == (a: ContentDisposition, b: ContentDisposition) -> Bool {
        a.type == b.type && a.parameters.count == b.parameters.count
            && zip(a.parameters, b.parameters).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Decodes `name*` or `name*0[*]`, `name*1[*]`, … (RFC 2231 §3–4) into a string.
    static func decodeExtended(_ parameters: [(name: String, value: String)], name: String) -> String? {
        if let single = parameters.first(where: { $0.name == name + "*" }) {
            return decodeExtValue(single.value, encoded: true, first: true).flatMap { bytesToString($0.bytes, charset: $0.charset) }
        }
        var sections: [(index: Int, value: String, encoded: Bool)] = []
        for p in parameters where p.name.hasPrefix(name + "*") {
            var rest = p.name.dropFirst(name.count + 1)
            let encoded = rest.hasSuffix("*")
            if encoded { rest = rest.dropLast() }
            guard let n = Int(rest), n >= 0, n < 1000 else { continue }
            sections.append((n, p.value, encoded))
        }
        guard !sections.isEmpty else { return nil }
        sections.sort { $0.index < $1.index }
        guard sections.enumerated().allSatisfy({ $0.offset == $0.element.index }) else { return nil }
        var bytes: [UInt8] = []
        var charset = "us-ascii"
        for s in sections {
            guard let d = decodeExtValue(s.value, encoded: s.encoded, first: s.index == 0) else { return nil }
            if s.index == 0, let c = d.charset { charset = c }
            bytes += d.bytes
        }
        return bytesToString(bytes, charset: charset)
    }

    private static func decodeExtValue(_ value: String, encoded: Bool, first: Bool) -> (bytes: [UInt8], charset: String?)? {
        guard encoded else { return (Array(value.utf8), nil) }
        var text = Substring(value)
        var charset: String?
        if first {
            let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            guard pieces.count == 3 else { return nil }
            charset = pieces[0].lowercased()
            text = pieces[2]
        }
        var out: [UInt8] = []
        var it = Array(text.utf8)[...]
        while let c = it.popFirst() {
            if c == 37 {  // '%'
                guard it.count >= 2, let h = hexValue(it[it.startIndex]), let l = hexValue(it[it.startIndex + 1]) else {
                    return nil
                }
                out.append(h << 4 | l)
                it = it.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return (out, charset)
    }

    private static func bytesToString(_ bytes: [UInt8], charset: String?) -> String? {
        switch charset ?? "utf-8" {
        case "iso-8859-1", "latin1", "iso_8859-1":
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default:
            return String(validating: bytes, as: UTF8.self)
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    private static func percentEncode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in s.utf8 {
            let isAttrChar = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || "!#$&+-.^_`|~".utf8.contains(c)
            if isAttrChar {
                out.append(c)
            } else {
                out += [37, hex[Int(c >> 4)], hex[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
