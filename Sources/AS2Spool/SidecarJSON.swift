import AS2Protocol
import Foundation

/// A sidecar's JSON written by hand, byte for byte as `SidecarCoding.encode` (Foundation's
/// JSONEncoder: pretty-printed, sorted keys, slashes unescaped, ISO-8601 dates) writes it: the
/// encoder was about 3 % of the receiver's CPU per message. Decoding stays on JSONDecoder.
indirect enum SidecarJSON {
    case string(String)
    case int(Int)
    case bool(Bool)
    /// An object; members whose value is `nil` are left out, as `encodeIfPresent` leaves them.
    case object([(String, SidecarJSON?)])

    /// An ISO-8601 UTC timestamp as `.iso8601` writes it (`2026-11-29T07:35:10Z`).
    static func date(_ date: Date) -> SidecarJSON { .string(iso8601(date)) }

    /// The encoded text with the trailing newline `SidecarCoding.encode` adds.
    func encoded() -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(to: &out, indent: 0)
        out.append(0x0a)
        return Data(out)
    }

    private func write(to out: inout [UInt8], indent: Int) {
        switch self {
        case .string(let value): Self.writeString(value, to: &out)
        case .int(let value): out += Array(String(value).utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .object(let members):
            let present = members.compactMap { key, value in value.map { (key, $0) } }.sorted { $0.0 < $1.0 }
            if present.isEmpty {
                out += Array("{\n\n".utf8)
                out += [UInt8](repeating: 0x20, count: indent)
                out.append(UInt8(ascii: "}"))
                return
            }
            out += Array("{\n".utf8)
            for (index, (key, value)) in present.enumerated() {
                out += [UInt8](repeating: 0x20, count: indent + 2)
                Self.writeString(key, to: &out)
                out += Array(" : ".utf8)
                value.write(to: &out, indent: indent + 2)
                out += Array((index == present.count - 1 ? "\n" : ",\n").utf8)
            }
            out += [UInt8](repeating: 0x20, count: indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x00..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8)
                out += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `yyyy-mm-ddThh:mm:ssZ` in UTC, whole seconds rounded down (days from the civil calendar).
    static func iso8601(_ date: Date) -> String {
        let t = HTTPDate.utcFields(date)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let yearText = String(t.year)
        let paddedYear = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
        let s = t.secondOfDay
        return "\(paddedYear)-\(two(t.month))-\(two(t.day))T\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))Z"
    }
}
