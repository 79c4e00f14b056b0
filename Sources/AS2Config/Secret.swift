/// A secret (key passphrase, basic-auth password) read from the file a `*_file` key names.
/// Secrets never appear inline in agent.conf, and `description` never prints the value.
public struct Secret: Sendable, Equatable, CustomStringConvertible {
    /// Absolute path of the file the secret was read from.
    public let path: String
    /// The file's content without its trailing line break(s).
    public let value: String

    public init(path: String, value: String) {
        self.path = path
        self.value = value
    }

    public var description: String { "<secret from \(path)>" }
}
