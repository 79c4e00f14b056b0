import Foundation

/// AS2 names (AS2-From / AS2-To, RFC 4130 §6.2). agent.conf holds the decoded name: 1–128
/// printable ASCII characters, spaces allowed (they force the quoted header form).
public enum AS2NameSyntax {
    /// Longest name the RFC allows.
    public static let maximumLength = 128

    /// Why a decoded name cannot be used at all; nil when it is valid.
    public static func error(in name: String) -> String? {
        if name.isEmpty { return "an AS2 name must not be empty" }
        if name.unicodeScalars.count > maximumLength {
            return "an AS2 name has at most \(maximumLength) characters (RFC 4130 §6.2); this one has \(name.unicodeScalars.count)"
        }
        if let bad = name.unicodeScalars.first(where: { $0.value < 0x20 || $0.value > 0x7E }) {
            return "an AS2 name holds printable ASCII only (RFC 4130 §6.2); found U+\(String(bad.value, radix: 16, uppercase: true))"
        }
        return nil
    }

    /// Legal but risky spellings that other implementations handle badly (requirements R-ID-2).
    public static func warning(in name: String) -> String? {
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            return "write the name without the quotes of the header's quoted form: here they become part of the name"
        }
        if name.contains("\"") || name.contains("\\") {
            return "names with '\"' or '\\' are escaped inconsistently by other AS2 products (OpenAS2 does not escape them)"
        }
        if name.hasPrefix(" ") || name.hasSuffix(" ") {
            return "leading or trailing spaces are trimmed by some receivers"
        }
        return nil
    }

    /// Whether the header must use the quoted form: the name contains a space, `"` or `\`.
    public static func needsQuoting(_ name: String) -> Bool {
        name.contains(" ") || name.contains("\"") || name.contains("\\")
    }

    /// The header value for a valid decoded name: atomic when possible, else quoted with `"` and
    /// `\` escaped (RFC 4130 §6.2, requirements R-ID-2).
    public static func headerValue(_ name: String) -> String {
        guard needsQuoting(name) else { return name }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}
