/// A parsed TOML value, copied out of the parser into plain Sendable Swift values so nothing
/// past `ConfigurationDocument` touches the parser's C++ objects.
indirect enum ConfigurationValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// Dates and times (TOML offset/local date-times): unused by agent.conf but reported by type.
    case dateTime(String)
    case array([ConfigurationValue])
    case table([String: ConfigurationValue])

    /// TOML type name for "expected X, found Y" messages.
    var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .boolean: return "a boolean"
        case .dateTime: return "a date-time"
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}
