/// Line and column of every table header and key in a TOML text, which the parser library does
/// not expose. Paths: `agent`, `agent.as2_id`; the n-th `[[partner]]` block is `partner#n`
/// (1-based), its keys `partner#n.sign`. Keys inside inline tables are not located.
struct TOMLSourceLocator: Sendable {
    struct Position: Sendable, Equatable {
        let line: Int
        let column: Int
    }

    private(set) var positions: [String: Position] = [:]

    init(text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var scanner = ValueScanner()
        // Lines end at LF (a CRLF line keeps its CR, skipped as blank space): split by scalars,
        // not Characters, for which "\r\n" is one character and no line would end.
        let scalars = Array(text.unicodeScalars)
        var lineStart = 0
        var lineNumber = 0
        while lineStart <= scalars.count {
            let lineEnd = scalars[lineStart...].firstIndex(of: "\n") ?? scalars.count
            let line = scalars[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            lineNumber += 1
            if scanner.isInsideValue {
                scanner.scan(line)
                continue
            }
            guard let start = line.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" }) else { continue }
            let column = start - line.startIndex + 1
            let rest = line[start...]
            if rest.first == "#" { continue }
            if rest.starts(with: ["[", "["]) {
                guard let name = Self.keyPath(in: rest.dropFirst(2), terminator: "]") else { continue }
                let count = arrayCounts[name, default: 0] + 1
                arrayCounts[name] = count
                table = "\(name)#\(count)"
                positions[table] = Position(line: lineNumber, column: column)
            } else if rest.first == "[" {
                guard let name = Self.keyPath(in: rest.dropFirst(), terminator: "]") else { continue }
                table = name
                positions[table] = Position(line: lineNumber, column: column)
            } else {
                var cursor = rest[...]
                guard let key = Self.keyPath(in: cursor, terminator: "=", consumed: &cursor) else { continue }
                let path = table.isEmpty ? key : "\(table).\(key)"
                if positions[path] == nil { positions[path] = Position(line: lineNumber, column: column) }
                scanner.scan(cursor)
            }
        }
    }

    /// Position of a path, or of its nearest located ancestor (`partner#2.sign` → `partner#2`).
    func position(of path: String) -> Position? {
        var current = Substring(path)
        while true {
            if let p = positions[String(current)] { return p }
            guard let dot = current.lastIndex(of: ".") else { return nil }
            current = current[..<dot]
        }
    }

    /// Exact position of a path, without falling back to an ancestor.
    func exactPosition(of path: String) -> Position? { positions[path] }

    private static func keyPath(in text: ArraySlice<Unicode.Scalar>, terminator: Unicode.Scalar) -> String? {
        var ignored = text
        return keyPath(in: text, terminator: terminator, consumed: &ignored)
    }

    /// Reads a dotted key (bare or quoted parts) up to `terminator`; `consumed` is left after it.
    private static func keyPath(
        in text: ArraySlice<Unicode.Scalar>, terminator: Unicode.Scalar, consumed: inout ArraySlice<Unicode.Scalar>
    ) -> String? {
        var parts: [String] = []
        var i = text.startIndex
        func skipSpace() { while i < text.endIndex, text[i] == " " || text[i] == "\t" { i += 1 } }
        while true {
            skipSpace()
            guard i < text.endIndex else { return nil }
            var part = ""
            let c = text[i]
            if c == "\"" || c == "'" {
                i += 1
                while i < text.endIndex, text[i] != c {
                    if c == "\"", text[i] == "\\", i + 1 < text.endIndex { i += 1 }
                    part.unicodeScalars.append(text[i])
                    i += 1
                }
                guard i < text.endIndex else { return nil }
                i += 1
            } else {
                while i < text.endIndex, Self.isBareKeyScalar(text[i]) {
                    part.unicodeScalars.append(text[i])
                    i += 1
                }
                guard !part.isEmpty else { return nil }
            }
            parts.append(part)
            skipSpace()
            guard i < text.endIndex else { return nil }
            if text[i] == "." {
                i += 1
                continue
            }
            guard text[i] == terminator else { return nil }
            consumed = text[(i + 1)...]
            return parts.joined(separator: ".")
        }
    }

    private static func isBareKeyScalar(_ s: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(s) || ("a"..."z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-"
    }
}

/// Tracks whether a value continues on the next line: an open multi-line string or an unclosed
/// array / inline table.
private struct ValueScanner {
    private var openString: [Unicode.Scalar]? = nil
    private var depth = 0

    var isInsideValue: Bool { openString != nil || depth > 0 }

    mutating func scan(_ text: ArraySlice<Unicode.Scalar>) {
        var i = text.startIndex
        while i < text.endIndex {
            if let delimiter = openString {
                if delimiter[0] == "\"", text[i] == "\\" {
                    i += 2
                    continue
                }
                if delimiter.count == 3 {
                    if text[i...].starts(with: delimiter) {
                        openString = nil
                        i += 3
                        continue
                    }
                } else if text[i] == delimiter[0] {
                    openString = nil
                }
                i += 1
                continue
            }
            let c = text[i]
            switch c {
            case "#":
                return
            case "\"", "'":
                if text[i...].starts(with: [c, c, c]) {
                    openString = [c, c, c]
                    i += 3
                    continue
                }
                openString = [c]
            case "[", "{":
                depth += 1
            case "]", "}":
                depth = max(0, depth - 1)
            default:
                break
            }
            i += 1
        }
        // Single-line strings cannot continue past the end of a line.
        if let delimiter = openString, delimiter.count == 1 { openString = nil }
    }
}
