#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AS2Bytes
import NIOCore

/// Writes received bytes into a temporary file at explicit offsets with `pwrite`.
///
/// `@unchecked Sendable`: the descriptor is owned here, never changes after init, and `pwrite` does
/// not move a shared offset, so writes can run on any thread-pool thread.
final class SpoolFileWriter: @unchecked Sendable {
    let file: TemporaryFile
    private let fd: Int32

    /// Creates the temporary file in `directory` (blocking: call off the event loop).
    init(directory: String) throws {
        let file = try TemporaryFile(in: directory, suffix: ".body")
        let fd = open(file.path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ByteError.io(operation: "open", path: file.path, errno: errno) }
        self.file = file
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes `buffers` one after another starting at `offset` (blocking).
    func write(_ buffers: [ByteBuffer], at offset: Int) throws {
        var position = offset
        for buffer in buffers {
            try buffer.withUnsafeReadableBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position + done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ByteError.io(operation: "write", path: file.path, errno: errno)
                    }
                    done += n
                }
            }
            position += buffer.readableBytes
        }
    }
}
