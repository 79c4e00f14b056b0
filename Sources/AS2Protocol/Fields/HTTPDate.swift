#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Date header: written as an RFC 9110 IMF-fixdate, read tolerantly (RFC 5322 forms with
/// zones like `UTC` or `+0200`, RFC 850, asctime). Locale-independent by construction.
public enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func format(_ date: Date) -> String {
        let t = utcFields(date)
        let secondOfDay = t.secondOfDay
        return "\(weekdays[t.weekday]), \(two(t.day)) \(months[t.month - 1]) \(t.year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }

    /// `date` in UTC, whole seconds rounded down, as proleptic Gregorian fields (weekday 0 is
    /// Sunday) — computed, not through a locale's calendar; also used for sidecar timestamps.
    public static func utcFields(_ date: Date) -> (year: Int, month: Int, day: Int, weekday: Int, secondOfDay: Int) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = floorDiv(seconds, 86_400)
        let (y, m, d) = civil(fromDays: days)
        let weekday = Int((days % 7 + 11) % 7)  // 1970-01-01 was a Thursday
        return (y, m, d, weekday, Int(seconds - days * 86_400))
    }

    /// The date in `s`, or nil. Accepts an optional day name, `DD Mon YYYY HH:MM[:SS] [zone]`
    /// (2- and 4-digit years), `DD-Mon-YY` (RFC 850), `Mon DD HH:MM:SS YYYY` (asctime). Zones:
    /// `GMT`, `UT`, `UTC`, `Z`, `±HHMM`, US zones; other names count as UTC (RFC 5322 §4.3).
    public static func parse(_ s: String) -> Date? {
        var tokens: [String] = []
        var current = ""
        var depth = 0
        for c in s {
            if c == "(" { depth += 1; continue }
            if c == ")" { depth = max(0, depth - 1); continue }
            if depth > 0 { continue }
            if c == " " || c == "\t" || c == "," || c == "\r" || c == "\n" {
                if !current.isEmpty { tokens.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        // Split RFC 850 "06-Nov-94".
        tokens = tokens.flatMap { t -> [String] in
            let parts = t.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 3, Int(parts[0]) != nil, month(String(parts[1])) != nil, Int(parts[2]) != nil {
                return parts.map(String.init)
            }
            return [t]
        }
        if let first = tokens.first, Int(first) == nil, month(first) == nil { tokens.removeFirst() }  // day name
        guard tokens.count >= 4 else { return nil }

        var day: Int
        var mon: Int
        var year: Int
        var time: String
        var zoneTokens: ArraySlice<String>
        if let m = month(tokens[0]) {  // asctime: Mon DD HH:MM:SS YYYY
            guard let d = Int(tokens[1]), let y = Int(tokens[3]) else { return nil }
            (mon, day, time, year) = (m, d, tokens[2], y)
            zoneTokens = tokens[4...]
        } else {
            guard let d = Int(tokens[0]), let m = month(tokens[1]), let y = Int(tokens[2]) else { return nil }
            (day, mon, year, time) = (d, m, y, tokens[3])
            zoneTokens = tokens[4...]
        }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }  // RFC 5322 §4.3 obsolete years
        let hms = time.split(separator: ":").map { Int($0) }
        guard hms.count == 2 || hms.count == 3, hms.allSatisfy({ $0 != nil }) else { return nil }
        let hour = hms[0]!
        let minute = hms[1]!
        let second = min(hms.count == 3 ? hms[2]! : 0, 59)
        guard (1...12).contains(mon), (1...daysIn(month: mon, year: year)).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), second >= 0
        else { return nil }
        guard let offset = zoneOffset(zoneTokens.first) else { return nil }
        let days = days(fromCivil: year, mon, day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func month(_ s: String) -> Int? {
        guard s.count >= 3 else { return nil }
        let prefix = s.prefix(3).lowercased()
        guard let i = months.firstIndex(where: { $0.lowercased() == prefix }) else { return nil }
        let full = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        guard s.count == 3 || full[i] == s.lowercased() else { return nil }
        return i + 1
    }

    /// Seconds east of UTC, or nil for a malformed numeric zone. Absent = UTC.
    private static func zoneOffset(_ z: String?) -> Int? {
        guard var z else { return 0 }
        for prefix in ["GMT", "UTC", "UT"] where z.uppercased().hasPrefix(prefix) && z.count > prefix.count {
            z = String(z.dropFirst(prefix.count))  // "GMT+0200"
            break
        }
        if let sign = z.first, sign == "+" || sign == "-" {
            let digits = z.dropFirst().filter { $0 != ":" }
            guard digits.count == 4 || digits.count == 2, let n = Int(digits) else { return nil }
            let (h, m) = digits.count == 4 ? (n / 100, n % 100) : (n, 0)
            guard h <= 23, m <= 59 else { return nil }
            return (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
        }
        switch z.uppercased() {
        case "EDT": return -4 * 3600
        case "EST", "CDT": return -5 * 3600
        case "CST", "MDT": return -6 * 3600
        case "MST", "PDT": return -7 * 3600
        case "PST": return -8 * 3600
        default: return z.allSatisfy(\.isLetter) ? 0 : nil
        }
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func days(fromCivil y: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y - 1 : y)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((m + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z: Int64) -> (Int, Int, Int) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        let y = Int(yoe + era * 400) + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }
}
