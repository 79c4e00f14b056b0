/// The agent's log threshold. Raw values match swift-log's `Logger.Level` names, so the executable
/// maps one to the other with `Logger.Level(rawValue:)`.
public enum LogLevel: String, CaseIterable, Sendable, Codable {
    case trace, debug, info, notice, warning, error, critical
}
