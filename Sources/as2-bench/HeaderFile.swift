import AS2Bytes
import Foundation

/// The HTTP headers of a built message kept beside its body file: `Name: value` lines with CRLF,
/// then an empty line (the head of the harness's captured form).
enum HeaderFile {
    static func write(_ headers: [(name: String, value: String)], to path: String) throws {
        let text = headers.map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n"
        try AtomicFile.write(Array(text.utf8), to: path, sync: false)
    }

    static func read(_ path: String) throws -> [(String, String)] {
        let text = String(decoding: try FileByteSource(path: path).readAll(limit: 1 << 20), as: UTF8.self)
        var headers: [(String, String)] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw BenchError("bad header line in \(path): \(line)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return headers
    }
}
