import Foundation
import Logging

/// One line per event on stderr, `level: message key=value …`, without a timestamp (journald adds
/// one); what `journalctl -u as2-agent` shows.
struct StderrLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let label: String

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        var all = metadata
        if let explicit { all.merge(explicit) { _, new in new } }
        var text = "\(level): \(message)"
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            let v = "\(value)"
            text += v.contains(" ") || v.contains("\"") || v.isEmpty ? " \(key)=\"\(v.replacingOccurrences(of: "\"", with: "\\\""))\"" : " \(key)=\(v)"
        }
        text += "\n"
        Self.writeToStderr(Array(text.utf8))
    }

    /// `write(2)` until done; a line that cannot be written (stderr closed, a reader gone: EPIPE) is
    /// dropped. `FileHandle.write(_:)` traps on such an error, which stopped the agent.
    static func writeToStderr(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = write(STDERR_FILENO, base + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
