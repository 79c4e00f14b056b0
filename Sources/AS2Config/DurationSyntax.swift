import Foundation

/// Durations in agent.conf: an integer number of seconds, or a string of number+unit pairs with
/// units `ms`, `s`, `m`, `h`, `d` (`"30s"`, `"5m"`, `"1h30m"`, `"30d"`).
public enum DurationSyntax {
    static let units: [String: Int64] = ["ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]

    /// Parses a duration string; nil when malformed or out of range.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed), seconds >= 0 { return .seconds(seconds) }
        var rest = Substring(trimmed)
        var milliseconds: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 12, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix(while: { $0.isASCII && $0.isLetter })
            guard let factor = units[String(unit)] else { return nil }
            rest = rest.dropFirst(unit.count)
            let (part, overflow1) = number.multipliedReportingOverflow(by: factor)
            let (sum, overflow2) = milliseconds.addingReportingOverflow(part)
            guard !overflow1, !overflow2 else { return nil }
            milliseconds = sum
        }
        return .milliseconds(milliseconds)
    }

    /// The shortest spelling (`30s`, `5m`, `1h30m`, `30d`, `0`), for messages and docs.
    public static func format(_ duration: Duration) -> String {
        var ms = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms == 0 { return "0" }
        var text = ""
        for (name, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
        where ms >= factor {
            text += "\(ms / factor)\(name)"
            ms %= factor
        }
        return text
    }
}
