import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes the files `keys` produces: created with their final mode from the start (a private
/// key is never readable by others, not even for a moment), refusing to replace a file unless asked.
enum FileOutput {
    enum Failure: Error, CustomStringConvertible {
        case exists(String)
        case io(String, String)

        var description: String {
            switch self {
            case .exists(let path): return "\(path) exists; use --force to replace it"
            case .io(let path, let reason): return "cannot write \(path): \(reason)"
            }
        }
    }

    /// Writes `bytes` to `path` with `mode`, through a temporary file renamed into place.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t, replace: Bool) throws(Failure) {
        if !replace, FileManager.default.fileExists(atPath: path) { throw .exists(path) }
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(path, String(cString: strerror(errno))) }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw .io(path, reason)
            }
            written += n
        }
        fchmod(fd, mode)
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path, reason)
        }
    }

    /// Creates a folder and its parents (mode 0750 for the ones created).
    static func createDirectory(_ path: String) throws(Failure) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw .io(path, error.localizedDescription)
        }
    }
}
