/// One finding of the configuration loader or of `check-config`: how bad, which key, where in
/// the file, what is wrong and, when we can tell, what to write instead.
public struct ConfigurationProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Comparable {
        case error, warning

        public static func < (a: Self, b: Self) -> Bool { a == .error && b == .warning }
    }

    /// Stable machine-readable kinds of problem, for scripts and tests.
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// The file cannot be read or is not UTF-8.
        case unreadable
        /// TOML syntax error.
        case syntax
        /// A key no table of agent.conf knows.
        case unknownKey = "unknown-key"
        /// A required key is absent.
        case missingKey = "missing-key"
        /// A value of the wrong TOML type.
        case wrongType = "wrong-type"
        /// A value of the right type that is not allowed (unknown enum value, malformed duration…).
        case invalidValue = "invalid-value"
        /// Keys that contradict each other.
        case conflict
        /// Two partners with the same name or AS2 name.
        case duplicate
        /// A named file is missing, unreadable or not what it should be.
        case file
        /// A secret file or key password problem.
        case secret
        /// A certificate cannot be used: unparsable, expired, not yet valid, expiring soon, weak.
        case certificate
        /// A private key cannot be used: unparsable, wrong password, does not match its certificate, weak.
        case key
        /// A listen address cannot be bound.
        case port
        /// A legal but risky setting.
        case risky
    }

    public var severity: Severity
    public var code: Code
    /// Dotted key path, e.g. `agent.as2_id`, `partner[globex].certificate`; empty for the whole file.
    public var keyPath: String
    /// 1-based line and column in the configuration file, where known.
    public var line: Int?
    public var column: Int?
    public var message: String
    /// What to write instead ("did you mean …"), when there is a likely fix.
    public var suggestion: String?

    public init(
        severity: Severity, code: Code, keyPath: String, line: Int? = nil, column: Int? = nil, message: String,
        suggestion: String? = nil
    ) {
        self.severity = severity
        self.code = code
        self.keyPath = keyPath
        self.line = line
        self.column = column
        self.message = message
        self.suggestion = suggestion
    }

    /// `line:column: severity: key: message (suggestion)`, compiler style without the file name.
    public var description: String {
        var text = ""
        if let line { text += "\(line):" + (column.map { "\($0):" } ?? "") + " " }
        text += "\(severity.rawValue): "
        if !keyPath.isEmpty { text += "\(keyPath): " }
        text += message
        if let suggestion { text += " (\(suggestion))" }
        return text
    }
}
