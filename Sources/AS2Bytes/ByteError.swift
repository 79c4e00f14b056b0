/// Errors of byte sources, sinks and files. Each carries the detail an operator needs in a log line.
public enum ByteError: Error, Equatable, CustomStringConvertible {
    case tooLarge(size: Int, limit: Int)
    case outOfRange(offset: Int)
    case shortRead(offset: Int)
    case io(operation: String, path: String, errno: Int32)
    case closed

    public var description: String {
        switch self {
        case let .tooLarge(size, limit): return "data of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .outOfRange(offset): return "read at offset \(offset) is outside the data"
        case let .shortRead(offset): return "data ended early at offset \(offset)"
        case let .io(operation, path, errno): return "\(operation) \(path): \(SystemError.message(errno))"
        case .closed: return "write after close"
        }
    }
}
