/// Why a request got no (complete) response: a code for retry decisions and a message for operators.
public struct HTTPClientError: Error, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// No connection: refused, unreachable, DNS failure, connect timeout, proxy refused CONNECT.
        case connectFailed
        /// The response did not arrive within the read timeout (or the server stalled taking the body).
        case timeout
        /// Handshake or certificate failure, or unusable TLS settings (certificate/key files).
        case tlsFailure
        /// The connection closed before a complete response arrived.
        case connectionClosedEarly
        /// The response could not be parsed as HTTP.
        case invalidResponse
        /// The response body is larger than `maxResponseBodySize`.
        case responseTooLarge
        /// The request itself is unusable: bad URL, bad header, bad proxy, or the client is shut down.
        case invalidRequest
        /// The response body could not be written to the spool directory (disk full, permissions).
        case spoolFailed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// True when trying again later may succeed (requirements R-ST-2, R-REL-4).
    public var isTransient: Bool {
        switch code {
        case .connectFailed, .timeout, .connectionClosedEarly, .spoolFailed: return true
        case .tlsFailure, .invalidResponse, .responseTooLarge, .invalidRequest: return false
        }
    }

    public var description: String { "\(code): \(message)" }

    /// Errors compare by code only.
    public static func == (lhs: HTTPClientError, rhs: HTTPClientError) -> Bool { lhs.code == rhs.code }
}
