import Foundation

/// Failures of the interop harness itself (not of the code under test), worded to be acted on.
public enum InteropError: Error, CustomStringConvertible, Sendable {
    case pythonMissing(tried: [String])
    case scriptMissing(String)
    case opensslMissing
    case peerExited(status: Int32?, stderr: String)
    case peerTimeout(command: String, id: Int, seconds: Double, stderr: String)
    case peerFailed(command: String, error: String, traceback: String?)
    case badResponse(command: String, line: String, underlying: String)
    case processFailed(command: String, status: Int32, stderr: String)
    case capturedFormat(String)
    case serverNotReady(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .pythonMissing(let tried):
            return "interop Python not found (tried \(tried.joined(separator: ", "))): "
                + "run `make venv` (or `make test`), or set AS2_INTEROP_PYTHON"
        case .scriptMissing(let path):
            return "interop peer script missing: \(path)"
        case .opensslMissing:
            return "openssl CLI not found on PATH (apt-get install openssl, or set AS2_INTEROP_OPENSSL)"
        case .peerExited(let status, let stderr):
            return "interop peer exited (status \(status.map(String.init) ?? "?")); stderr tail:\n\(stderr)"
        case .peerTimeout(let command, let id, let seconds, let stderr):
            return "interop peer request #\(id) '\(command)' got no answer within \(seconds) s "
                + "(peer restarted); stderr tail:\n\(stderr)"
        case .peerFailed(let command, let error, let traceback):
            return "interop peer '\(command)' failed: \(error)\n\(traceback ?? "")"
        case .badResponse(let command, let line, let underlying):
            return "interop peer '\(command)' answered something unreadable (\(underlying)): \(line.prefix(2000))"
        case .processFailed(let command, let status, let stderr):
            return "\(command) exited with status \(status): \(stderr)"
        case .capturedFormat(let why):
            return "captured message: \(why)"
        case .serverNotReady(let why):
            return "as2http.py serve did not become ready: \(why)"
        case .invalidArgument(let why):
            return "interop harness: \(why)"
        }
    }
}
