import AS2Bytes
import AS2Protocol
import Foundation

/// Captured-form files of what our side produced (messages and MDNs), for the peers to read.
public enum CapturedFile {
    /// Writes `headers`, an empty line and `body` to `path` (AS2Protocol's captured form).
    public static func write(headers: [(name: String, value: String)], body: any ByteSource, to path: String) throws {
        let sink = try FileSink(path: path, exclusive: false, mode: 0o600)
        try AS2Protocol.CapturedMessage.serialize(headers: headers.map { ($0.name, $0.value) }, body: body, to: sink)
        try sink.close()
    }

    /// Reads a peer-made captured file: headers, and the body as a file source (not loaded).
    public static func read(_ path: String) throws -> (headers: [(String, String)], body: FileByteSource) {
        let captured = try CapturedMessage.read(from: path)
        return (captured.headers.map { ($0.name, $0.value) }, try captured.bodySource())
    }
}
