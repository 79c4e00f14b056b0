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
        FileHandle.standardError.write(Data(text.utf8))
    }
}
