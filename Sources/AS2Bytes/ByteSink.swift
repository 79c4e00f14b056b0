#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where streamed output goes: decrypted content, a decompressed layer, a received body.
public protocol ByteSink: AnyObject {
    /// Appends bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Bytes written so far.
    var bytesWritten: Int { get }
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
    public func write(_ string: String) throws {
        try write(Array(string.utf8))
    }
}

/// Collects output in memory, refusing to grow past `limit`.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public let limit: Int
    public init(limit: Int = 64 * 1024 * 1024) { self.limit = limit }
    public var bytesWritten: Int { bytes.count }
    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard bytes.count + buffer.count <= limit else {
            throw ByteError.tooLarge(size: bytes.count + buffer.count, limit: limit)
        }
        bytes.append(contentsOf: buffer)
    }
}

/// Writes to a new file through a buffer. `close(sync:)` flushes and optionally fsyncs; a sink that
/// is dropped without `close` is closed (not synced). Use `AtomicFile` for files that readers see.
public final class FileSink: ByteSink {
    public let path: String
    public let limit: Int
    public private(set) var bytesWritten: Int = 0
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferSize = 256 * 1024

    /// Creates (or truncates, when `exclusive` is false) the file at `path` with `mode`.
    public init(path: String, exclusive: Bool = true, mode: mode_t = 0o640, limit: Int = Int.max) throws {
        self.path = path
        self.limit = limit
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        self.fd = try SystemError.retrying("create", path) { open(path, flags, mode) }
        buffer.reserveCapacity(bufferSize)
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw ByteError.closed }
        guard bytesWritten + bytes.count <= limit else {
            throw ByteError.tooLarge(size: bytesWritten + bytes.count, limit: limit)
        }
        bytesWritten += bytes.count
        if buffer.count + bytes.count <= bufferSize {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count >= bufferSize {
            try writeFully(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes out buffered bytes.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeFully($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, fsyncs when `sync` is true, and closes.
    public func close(sync: Bool = false) throws {
        guard fd >= 0 else { return }
        try flush()
        if sync { try SystemError.retrying("fsync", path) { fsync(fd) } }
        let r = Glibc.close(fd)
        fd = -1
        if r != 0 { throw ByteError.io(operation: "close", path: path, errno: errno) }
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = try SystemError.retrying("write", path) {
                Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            }
            done += n
        }
    }
}

/// Counts and discards (for measuring sizes, or draining a stream).
public final class DiscardSink: ByteSink {
    public private(set) var bytesWritten: Int = 0
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { bytesWritten += bytes.count }
}
