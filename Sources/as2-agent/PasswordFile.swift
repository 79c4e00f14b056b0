import Foundation

/// `--password-file F`: a key passphrase read from a file (never from the command line, where
/// other users could see it in the process list).
enum PasswordFile {
    /// The file's text without trailing line breaks; nil when `path` is nil.
    static func read(_ path: String?) throws -> String? {
        guard let path else { return nil }
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw CommandLineOutput.fail("cannot read password file \(path)")
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw CommandLineOutput.fail("password file \(path) is empty") }
        return text
    }
}
