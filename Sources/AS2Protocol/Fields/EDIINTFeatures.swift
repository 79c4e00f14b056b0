/// The EDIINT-Features header (RFC 6017; requirements §1.6): a comma-separated list of feature
/// tokens, compared case-insensitively. Informational only: it never weakens security policy.
public struct EDIINTFeatures: Sendable, Equatable, CustomStringConvertible {
    public static let multipleAttachments = "multiple-attachments"
    public static let certificateExchange = "CEM"
    public static let reliability = "AS2-Reliability"
    public static let restart = "AS2-Restart"

    /// Tokens in order, as written; invalid tokens (other than letters, digits, `-`) dropped.
    public var tokens: [String]

    public init(tokens: [String]) { self.tokens = tokens }

    /// Parses `a, b ,c`: whitespace around commas allowed, empty items and invalid tokens dropped.
    public init(parsing value: String) {
        tokens = FieldText.unfold(value).split(separator: ",").map { FieldText.trim($0) }.filter { token in
            !token.isEmpty && token.unicodeScalars.allSatisfy { s in
                (s.value >= 48 && s.value <= 57) || (s.value >= 65 && s.value <= 90) || (s.value >= 97 && s.value <= 122) || s == "-"
            }
        }
    }

    /// True when `token` is listed (case-insensitive).
    public func contains(_ token: String) -> Bool { tokens.contains { $0.lowercased() == token.lowercased() } }

    /// `a, b, c`.
    public var headerValue: String { tokens.joined(separator: ", ") }

    public var description: String { headerValue }

    /// Same tokens, ignoring case and order.
    public static func == (a: EDIINTFeatures, b: EDIINTFeatures) -> Bool {
        Set(a.tokens.map { $0.lowercased() }) == Set(b.tokens.map { $0.lowercased() })
    }
}
