/// The outcome of `check-config`: every problem, and the configuration when it could be decoded.
public struct ConfigurationReport: Sendable {
    /// Absolute path of the configuration file.
    public let path: String
    /// The decoded configuration (defaults in place of erroneous values); nil when unusable.
    public let configuration: AgentConfiguration?
    /// Problems in file order.
    public let problems: [ConfigurationProblem]

    public init(path: String, configuration: AgentConfiguration?, problems: [ConfigurationProblem]) {
        self.path = path
        self.configuration = configuration
        self.problems = problems
    }

    public var errorCount: Int { problems.count { $0.severity == .error } }
    public var warningCount: Int { problems.count { $0.severity == .warning } }
    /// No errors (warnings allowed): the agent will start with this file.
    public var isValid: Bool { errorCount == 0 && configuration != nil }
}
