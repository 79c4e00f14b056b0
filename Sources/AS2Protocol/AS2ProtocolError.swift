/// Errors of the protocol layer that are not a partner's fault (configuration, local I/O).
/// Problems with a partner's message are never thrown: they become an `UnpackResult` with a
/// disposition, or an `InboundRequestError` with an HTTP status.
public struct AS2ProtocolError: Error, CustomStringConvertible, Equatable {
    public enum Code: Sendable, Equatable {
        case configuration
        case invalidMDN
    }
    public let code: Code
    public let message: String

    public static func configuration(_ message: String) -> AS2ProtocolError { .init(code: .configuration, message: message) }
    public static func invalidMDN(_ message: String) -> AS2ProtocolError { .init(code: .invalidMDN, message: message) }

    public var description: String { message }
}
