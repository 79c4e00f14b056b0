import Foundation

/// Sizes in agent.conf: an integer number of bytes, or a string with a unit. SI units are powers of
/// 1000 (`KB`, `MB`, `GB`, `TB`), IEC units powers of 1024 (`KiB`, `MiB`, `GiB`, `TiB`); `B` is bytes.
/// Units are case-insensitive except that `KB` and `KiB` stay distinct.
public enum ByteCountSyntax {
    static let units: [(suffix: String, factor: Int)] = [
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
        ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
        ("b", 1),
    ]

    /// Parses `"100MB"`, `"1GiB"`, `"512 KiB"`, `"4096"`; nil when malformed or overflowing.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        if unit.isEmpty { return number }
        guard let factor = units.first(where: { $0.suffix == unit })?.factor else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    /// The shortest exact spelling of a byte count (`16KB`, `1GiB`, `1234`), for messages and docs.
    public static func format(_ bytes: Int) -> String {
        let names = [("TiB", 1 << 40), ("TB", 1_000_000_000_000), ("GiB", 1 << 30), ("GB", 1_000_000_000),
                     ("MiB", 1 << 20), ("MB", 1_000_000), ("KiB", 1 << 10), ("KB", 1_000)]
        for (name, factor) in names where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(name)"
        }
        return "\(bytes)"
    }
}
