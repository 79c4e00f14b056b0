/// Why the server could not start: an operator-readable message with a code.
public struct HTTPServerError: Error, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The TLS certificate, key or client CA could not be loaded or do not fit together.
        case tlsConfiguration
        /// The address could not be bound (in use, not permitted, unknown host).
        case bindFailed
        /// `start()` was called on a server that was already started or shut down.
        case invalidState
        /// The spool directory could not be created.
        case spoolDirectory
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
