/// A Content-Type value (RFC 2045 §5): media type, subtype and parameters. Parsing is tolerant of
/// what AS2 products send (TABs, parameters in any order, quoted or not, a trailing `;`).
public struct ContentType: Sendable, Equatable, CustomStringConvertible {
    /// Lowercased.
    public var type: String
    /// Lowercased.
    public var subtype: String
    /// Names lowercased, values unquoted (backslash escapes resolved), in original order.
    public var parameters: [(name: String, value: String)]

    public init(parsing value: String) throws {
        let parsed = HeaderParameters.parse(value)
        let primary = parsed.primary
        guard let slash = primary.firstIndex(of: "/") else {
            throw MIMEError.invalidContentType("Content-Type \"\(value)\" has no \"/\" between type and subtype")
        }
        let t = ASCII.trim(primary[..<slash])
        let s = ASCII.trim(primary[primary.index(after: slash)...])
        guard Self.isToken(t), Self.isToken(s) else {
            throw MIMEError.invalidContentType("Content-Type \"\(value)\" is not type/subtype")
        }
        type = t.lowercased()
        subtype = s.lowercased()
        parameters = parsed.parameters
    }

    /// A content type from `"type/subtype"` and parameters given in order.
    public init(_ mimeType: String, parameters: [(String, String)] = []) {
        let parts = mimeType.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        type = ASCII.trim(parts[0]).lowercased()
        subtype = parts.count > 1 ? ASCII.trim(parts[1]).lowercased() : ""
        self.parameters = parameters.map { (name: $0.0.lowercased(), value: $0.1) }
    }

    /// The value of the first parameter named `name` (case-insensitive).
    public subscript(parameter name: String) -> String? {
        let n = name.lowercased()
        return parameters.first { $0.name == n }?.value
    }

    /// `"type/subtype"`.
    public var mimeType: String { "\(type)/\(subtype)" }

    /// True for `multipart/*`.
    public var isMultipart: Bool { type == "multipart" }

    /// True when the media type is `mimeType` (case-insensitive), parameters ignored.
    public func `is`(_ mimeType: String) -> Bool { ASCII.caseInsensitiveEquals(self.mimeType, mimeType) }

    /// Sets (replacing) or removes a parameter.
    public mutating func setParameter(_ name: String, _ value: String?) {
        let n = name.lowercased()
        if let value {
            if let i = parameters.firstIndex(where: { $0.name == n }) {
                parameters[i].value = value
            } else {
                parameters.append((name: n, value: value))
            }
        } else {
            parameters.removeAll { $0.name == n }
        }
    }

    /// The header value on one line: values quoted when they need it (tspecials including `/`);
    /// `protocol` always quoted, as RFC 1847 examples and every AS2 product do.
    public var headerValue: String {
        var out = mimeType
        for p in parameters {
            out += "; " + HeaderParameters.serialize(name: p.name, value: p.value, forceQuotes: p.name == "protocol")
        }
        return out
    }

    public var description: String { headerValue }

    /// Equal media types and the same parameter values by name (parameter order does not matter).
    public static func == (a: ContentType, b: ContentType) -> Bool {
        guard a.type == b.type, a.subtype == b.subtype, a.parameters.count == b.parameters.count else { return false }
        return a.parameters.allSatisfy { p in b[parameter: p.name] == p.value }
    }

    private static func isToken(_ s: Substring) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in c > 32 && c < 127 && !"()<>@,;:\\\"/[]?=".utf8.contains(c) }
    }
}
