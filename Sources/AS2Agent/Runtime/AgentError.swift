/// Errors of the agent's own making (configuration it cannot use, local storage failures).
public struct AgentError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable { case configuration, storage, protocolViolation }
    public let code: Code
    public let message: String

    public static func configuration(_ m: String) -> AgentError { .init(code: .configuration, message: m) }
    public static func storage(_ m: String) -> AgentError { .init(code: .storage, message: m) }

    public var description: String { message }
}
