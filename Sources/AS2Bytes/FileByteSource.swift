#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file (or the part of it that existed when it was opened) read with `pread`.
///
/// It is `Sendable` because the descriptor is owned here, never changes, and `pread` does not move
/// a shared offset; the file is closed when the last reference goes away.
public final class FileByteSource: ByteSource, @unchecked Sendable {
    public let path: String
    public let count: Int
    private let fd: Int32

    public init(path: String) throws {
        self.path = path
        let fd = try SystemError.retrying("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw ByteError.io(operation: "stat", path: path, errno: e)
        }
        self.fd = fd
        self.count = Int(st.st_size)
    }

    deinit { close(fd) }

    public func read(at offset: Int, length: Int) throws -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= count else { throw ByteError.outOfRange(offset: offset) }
        let n = Swift.min(length, count - offset)
        if n == 0 { return [] }
        return try [UInt8](unsafeUninitializedCapacity: n) { buf, initialized in
            var done = 0
            while done < n {
                let r = try SystemError.retrying("read", path) {
                    pread(fd, buf.baseAddress! + done, n - done, off_t(offset + done))
                }
                if r == 0 { break }
                done += r
            }
            initialized = done
        }
    }
}
