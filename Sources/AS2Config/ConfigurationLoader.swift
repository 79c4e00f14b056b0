import Foundation

/// Reads agent.conf into typed values. Used by every command that runs the agent; refuses a
/// configuration with errors (warnings pass; `ConfigurationValidator` reports them).
public enum ConfigurationLoader {
    /// Where the agent looks without `--config` or `AS2_AGENT_CONFIG`.
    public static let defaultPath = "/etc/as2-agent/agent.conf"
    /// Largest configuration file read (a guard against pointing --config at the wrong file).
    public static let maximumSize = 4 << 20
    /// Environment variable naming the configuration file.
    public static let environmentVariable = "AS2_AGENT_CONFIG"

    /// The configuration path to use: the explicit one (`--config`), else `AS2_AGENT_CONFIG`,
    /// else `/etc/as2-agent/agent.conf`; relative paths are made absolute against the current folder.
    public static func resolvePath(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> String {
        let chosen = explicit ?? environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
        return PathResolver.absolute(chosen, currentDirectory: currentDirectory)
    }

    /// Loads and decodes the file; throws `ConfigurationError` with every error-level problem.
    public static func load(path: String) throws(ConfigurationError) -> AgentConfiguration {
        let absolute = PathResolver.absolute(path, currentDirectory: FileManager.default.currentDirectoryPath)
        let text = try read(absolute)
        return try load(text: text, path: absolute)
    }

    /// Decodes configuration text as if read from `path`, against whose folder relative paths resolve.
    public static func load(text: String, path: String) throws(ConfigurationError) -> AgentConfiguration {
        let absolute = PathResolver.absolute(path, currentDirectory: FileManager.default.currentDirectoryPath)
        let decoded = ConfigurationDecoder.decode(text: text, path: absolute)
        let errors = decoded.problems.filter { $0.severity == .error }
        guard errors.isEmpty, let configuration = decoded.configuration else {
            throw ConfigurationError(path: absolute, problems: errors)
        }
        return configuration
    }

    /// The file's text, or a `ConfigurationError` saying why it cannot be read.
    static func read(_ path: String) throws(ConfigurationError) -> String {
        func failure(_ message: String, _ suggestion: String? = nil) -> ConfigurationError {
            ConfigurationError(
                path: path,
                problems: [
                    ConfigurationProblem(severity: .error, code: .unreadable, keyPath: "", message: message, suggestion: suggestion)
                ])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure(
                "configuration file not found: \(path)",
                "copy agent.conf.sample there, or name another file with --config or \(environmentVariable)")
        }
        guard !isDirectory.boolValue else { throw failure("\(path) is a directory, not a configuration file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot read \(path): permission denied")
        }
        guard data.count <= maximumSize else {
            throw failure("\(path) is \(data.count) bytes; a configuration file has at most \(ByteCountSyntax.format(maximumSize))")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("\(path) is not UTF-8 text") }
        return text
    }
}
