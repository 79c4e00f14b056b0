import Foundation
import AS2Bytes

/// A message or MDN as other tools log it: HTTP headers (optionally after a request or status
/// line), an empty line, then the exact body bytes.
public struct CapturedMessage: Sendable {
    public let headers: [(String, String)]
    public let body: any ByteSource

    /// Parses the captured form. Header lines may end in CRLF or LF and may be folded.
    public init(source: any ByteSource, maxHeaderBytes: Int = 256 * 1024) throws {
        let head = try source.read(at: 0, length: maxHeaderBytes)
        var lines: [String] = []
        var lineStart = 0
        var bodyStart: Int?
        var i = 0
        while i < head.count {
            if head[i] == 0x0A {
                var end = i
                if end > lineStart, head[end - 1] == 0x0D { end -= 1 }
                if end == lineStart {
                    bodyStart = i + 1
                    break
                }
                lines.append(String(decoding: head[lineStart..<end], as: UTF8.self))
                lineStart = i + 1
            }
            i += 1
        }
        guard let bodyStart else {
            throw CapturedMessageError(message: "no empty line between headers and body within the first \(maxHeaderBytes) bytes")
        }
        var headers: [(String, String)] = []
        for (index, line) in lines.enumerated() {
            if index == 0, line.hasPrefix("HTTP/") || line.range(of: #"^[A-Z]+ \S+ HTTP/\d"#, options: .regularExpression) != nil {
                continue  // request or status line
            }
            if let first = line.first, first == " " || first == "\t", let last = headers.popLast() {
                headers.append((last.0, last.1 + " " + line.trimmingCharacters(in: .whitespaces)))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw CapturedMessageError(message: "not a header line: \(line.prefix(80))")
            }
            headers.append((
                String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            ))
        }
        self.headers = headers
        self.body = source.slice(bodyStart..<source.count)
    }

    /// Writes the captured form of `headers` and `body` (the form `inspect` reads).
    public static func serialize(headers: [(String, String)], body: any ByteSource, to sink: some ByteSink) throws {
        for (name, value) in headers { try sink.write("\(name): \(value)\r\n") }
        try sink.write("\r\n")
        try body.copy(to: sink)
    }
}

public struct CapturedMessageError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

