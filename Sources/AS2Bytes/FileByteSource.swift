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
    /// The temporary file this source reads, kept (named in its folder) as long as the source
    /// lives, so that it can be linked elsewhere instead of copied (`spooledFile(_:)`).
    public let temporaryFile: TemporaryFile?

    public convenience init(path: String) throws {
        try self.init(path: path, keeping: nil)
    }

    /// Reads `path`; `temporaryFile` (whose path it is) is removed when this source is released.
    public init(path: String, keeping temporaryFile: TemporaryFile?) throws {
        self.path = path
        self.temporaryFile = temporaryFile
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

extension FileByteSource {
    /// The path of the spooled temporary file that `source` covers whole (itself, or a slice of
    /// all of it), or nil: bytes that can be given a second name with `link(2)` instead of being
    /// copied. Only files spooled by this process (`SpoolingSink`), never a file someone else owns.
    public static func spooledFile(_ source: any ByteSource) -> String? {
        if let file = source as? FileByteSource, file.temporaryFile != nil { return file.path }
        if let slice = source as? ByteSlice, let file = slice.base as? FileByteSource, file.temporaryFile != nil,
            slice.range == 0..<file.count
        {
            return file.path
        }
        return nil
    }
}
