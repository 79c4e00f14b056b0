/// Thrown by `ConfigurationLoader` when agent.conf cannot be used: the error-level problems, in
/// file order. Warnings are not errors and are left to `ConfigurationValidator`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Absolute path of the configuration file.
    public var path: String
    public var problems: [ConfigurationProblem]

    public init(path: String, problems: [ConfigurationProblem]) {
        self.path = path
        self.problems = problems
    }

    public var description: String {
        let lines = problems.map { "\(path):\($0)" }
        return "invalid configuration \(path):\n" + lines.joined(separator: "\n")
    }
}
