import AS2Bytes
import Foundation

/// An HTTP message in the peers' "captured" form: header lines `Name: value\r\n`, an empty line,
/// then the exact body bytes. Here the headers are values and the body is a file of its own.
public struct CapturedMessage: Sendable {
    /// Header fields in wire order, names as sent.
    public var headers: [(name: String, value: String)]
    /// Path of a file holding exactly the body bytes.
    public var bodyPath: String

    public init(headers: [(name: String, value: String)], bodyPath: String) {
        self.headers = headers
        self.bodyPath = bodyPath
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The body as bytes from its file.
    public func body() throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: bodyPath))
    }

    /// The body as an AS2Bytes source (read on demand, not loaded).
    public func bodySource() throws -> FileByteSource {
        try FileByteSource(path: bodyPath)
    }

    /// Reads a captured file. The body is copied, in chunks, to `bodyPath` (default: `<path>.body`).
    /// Header lines may end in CRLF or LF; folded lines are unfolded with one space.
    public static func read(from path: String, bodyPath: String? = nil) throws -> CapturedMessage {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw InteropError.capturedFormat("cannot open \(path)")
        }
        defer { try? input.close() }
        var head = Data()
        var rest = Data()
        var found = false
        while !found {
            guard let chunk = try input.read(upToCount: 64 * 1024), !chunk.isEmpty else { break }
            head.append(chunk)
            if let (headerEnd, bodyStart) = headerBoundary(in: head) {
                rest = head.subdata(in: bodyStart..<head.count)
                head = head.subdata(in: 0..<headerEnd)
                found = true
            } else if head.count > 1024 * 1024 {
                break
            }
        }
        guard found else { throw InteropError.capturedFormat("no empty line after the headers in \(path)") }
        let headers = try parseHeaders(head)
        let out = bodyPath ?? path + ".body"
        guard FileManager.default.createFile(atPath: out, contents: nil),
            let output = FileHandle(forWritingAtPath: out)
        else {
            throw InteropError.capturedFormat("cannot write \(out)")
        }
        defer { try? output.close() }
        try output.write(contentsOf: rest)
        while let chunk = try input.read(upToCount: 1024 * 1024), !chunk.isEmpty {
            try output.write(contentsOf: chunk)
        }
        return CapturedMessage(headers: headers, bodyPath: out)
    }

    /// Writes the captured form (headers, CRLF, body file contents) to `path`.
    public func write(to path: String) throws {
        var head = Data()
        for (name, value) in headers {
            head.append(Data("\(name): \(value)\r\n".utf8))
        }
        head.append(Data("\r\n".utf8))
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let output = FileHandle(forWritingAtPath: path), let input = FileHandle(forReadingAtPath: bodyPath)
        else {
            throw InteropError.capturedFormat("cannot write \(path) or read \(bodyPath)")
        }
        defer {
            try? output.close()
            try? input.close()
        }
        try output.write(contentsOf: head)
        while let chunk = try input.read(upToCount: 1024 * 1024), !chunk.isEmpty {
            try output.write(contentsOf: chunk)
        }
    }

    /// Where the header section ends and the body starts: the first CRLFCRLF or LFLF.
    private static func headerBoundary(in data: Data) -> (Int, Int)? {
        let bytes = [UInt8](data)
        if bytes.count >= 2, bytes[0] == 13, bytes[1] == 10 { return (0, 2) }
        if bytes.first == 10 { return (0, 1) }
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 10 {
                if bytes[i + 1] == 10 { return (i, i + 2) }
                if i + 2 < bytes.count, bytes[i + 1] == 13, bytes[i + 2] == 10 { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    private static func parseHeaders(_ data: Data) throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        // Split bytes, not a String: Swift reads "\r\n" as one Character.
        for rawLine in data.split(separator: 10, omittingEmptySubsequences: true) {
            var bytes = [UInt8](rawLine)
            if bytes.last == 13 { bytes.removeLast() }
            if bytes.isEmpty { continue }
            let line = String(decoding: bytes, as: UTF8.self)
            if bytes[0] == 32 || bytes[0] == 9, !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw InteropError.capturedFormat("bad header line: \(line.prefix(80))")
            }
            headers.append((
                name: String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            ))
        }
        return headers
    }
}
