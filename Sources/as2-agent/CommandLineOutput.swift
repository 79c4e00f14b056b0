import ArgumentParser
import Foundation

/// Writing to stdout/stderr, and failing a command with a message and an exit status.
enum CommandLineOutput {
    /// Writes text to standard error (with a trailing newline).
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes raw bytes to standard output.
    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// Prints `as2-agent: <message>` on stderr and returns the exit code to throw.
    static func fail(_ message: String, _ status: ExitStatus = .failure) -> ExitCode {
        printError("as2-agent: \(message)")
        return status.exitCode
    }

    /// JSON as the `--json` options print it: sorted keys, indented, no escaped slashes.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
