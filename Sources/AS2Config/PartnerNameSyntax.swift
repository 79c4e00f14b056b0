/// Partner short names: the folder name under spool_dir (DESIGN.md §2), `[a-z0-9][a-z0-9._-]*`.
public enum PartnerNameSyntax {
    /// Longest name, so that `<name>/outbox/...` stays far from the file-system name limit.
    public static let maximumLength = 64

    /// Why a name cannot be a partner folder name; nil when it is valid.
    public static func error(in name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "a partner name must not be empty" }
        if name.unicodeScalars.count > maximumLength {
            return "a partner name has at most \(maximumLength) characters"
        }
        let lowerOrDigit: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        guard lowerOrDigit(first) else {
            return "a partner name starts with a lowercase letter or a digit ([a-z0-9][a-z0-9._-]*)"
        }
        guard name.unicodeScalars.allSatisfy({ lowerOrDigit($0) || $0 == "." || $0 == "_" || $0 == "-" }) else {
            return "a partner name holds only lowercase letters, digits, '.', '_' and '-' ([a-z0-9][a-z0-9._-]*)"
        }
        return nil
    }

    /// A folder-safe name derived from free text (an AS2 id): lowercase, other characters as `-`.
    public static func suggestion(for text: String) -> String {
        var result = ""
        for scalar in text.lowercased().unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_"
            if ok { result.unicodeScalars.append(scalar) } else if !result.isEmpty, !result.hasSuffix("-") { result += "-" }
        }
        while result.hasSuffix("-") || result.hasSuffix(".") { result.removeLast() }
        while let f = result.unicodeScalars.first, f == "." || f == "_" { result.removeFirst() }
        return result.isEmpty ? "partner" : String(result.prefix(maximumLength))
    }
}
