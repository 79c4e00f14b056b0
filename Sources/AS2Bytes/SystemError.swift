#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// errno helpers for the thin syscall wrappers in this module.
public enum SystemError {
    public static func message(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "errno \(code)" }
        return String(cString: s)
    }

    /// Runs a syscall, retrying on EINTR; returns the result or throws `ByteError.io`.
    @discardableResult
    static func retrying<T: BinaryInteger>(_ operation: String, _ path: String, _ call: () -> T) throws -> T {
        while true {
            let r = call()
            if r >= 0 { return r }
            if errno == EINTR { continue }
            throw ByteError.io(operation: operation, path: path, errno: errno)
        }
    }
}
