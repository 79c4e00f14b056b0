/// The line protocol of `as2-agent-watch` (docs/folders.md): `READY`, `OVERFLOW`,
/// `FILE\t<path>`, `NEWDIR\t<path>`, one per line. Paths are escaped so that any byte survives:
/// `\\`, `\t`, `\n`, `\r`, and `\xHH` for every other byte below 0x20 or from 0x7f up.
public enum WatchProtocol {
    /// One decoded line; paths are raw bytes (file names need not be UTF-8).
    public enum Line: Sendable, Hashable {
        case ready
        case overflow
        case file([UInt8])
        case newDirectory([UInt8])
    }

    /// Decodes one line (without its newline); nil for a line this version does not know.
    public static func parse<C: Collection>(_ line: C) -> Line? where C.Element == UInt8 {
        let bytes = Array(line)
        switch bytes {
        case Array("READY".utf8): return .ready
        case Array("OVERFLOW".utf8): return .overflow
        default: break
        }
        guard let tab = bytes.firstIndex(of: 0x09) else { return nil }
        let tag = bytes[..<tab]
        guard let path = unescape(bytes[(tab + 1)...]), !path.isEmpty else { return nil }
        if tag.elementsEqual("FILE".utf8) { return .file(path) }
        if tag.elementsEqual("NEWDIR".utf8) { return .newDirectory(path) }
        return nil
    }

    /// Escapes a path the way `as2-agent-watch` does.
    public static func escape(_ path: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(path.count)
        for c in path {
            switch c {
            case 0x5c: out += [0x5c, 0x5c]
            case 0x09: out += [0x5c, UInt8(ascii: "t")]
            case 0x0a: out += [0x5c, UInt8(ascii: "n")]
            case 0x0d: out += [0x5c, UInt8(ascii: "r")]
            case ..<0x20, 0x7f...: out += [0x5c, UInt8(ascii: "x"), hex[Int(c >> 4)], hex[Int(c & 15)]]
            default: out.append(c)
            }
        }
        return out
    }

    /// Reverses `escape`; nil for a malformed escape.
    public static func unescape<C: Collection>(_ escaped: C) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(escaped.count)
        var it = escaped.makeIterator()
        while let c = it.next() {
            guard c == 0x5c else {
                out.append(c)
                continue
            }
            switch it.next() {
            case UInt8(ascii: "\\"): out.append(0x5c)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "x"):
                guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
                out.append(h << 4 | l)
            default: return nil
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
