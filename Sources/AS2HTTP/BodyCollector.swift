import AS2Bytes
import NIOCore
import NIOPosix

/// Gathers a message body as it arrives: in memory up to `spoolThreshold`, then in a temporary file
/// written on the thread pool (never on the event loop). Refuses bytes past `limit`.
struct BodyCollector {
    /// The body grew past the limit; the partial spool file is deleted with the collector.
    struct TooLarge: Error {
        let limit: Int
    }

    /// The spool file could not be created or written (disk full, permissions).
    struct SpoolFailure: Error {
        let underlying: Error
    }

    /// Spool writes are batched to this size so each thread-pool hop carries a useful amount.
    static let flushSize = 256 * 1024

    let limit: Int
    let spoolThreshold: Int
    let spoolDirectory: String
    let threadPool: NIOThreadPool
    private let spoolFromStart: Bool
    private var memory = ByteBuffer()
    private var writer: SpoolFileWriter?
    private var pending: [ByteBuffer] = []
    private var pendingBytes = 0
    private var written = 0
    /// Bytes received so far.
    private(set) var count = 0

    /// `expectedLength` (a Content-Length) above the threshold sends the body to disk from the start.
    init(limit: Int, spoolThreshold: Int, spoolDirectory: String, threadPool: NIOThreadPool, expectedLength: Int?) {
        self.limit = limit
        self.spoolThreshold = spoolThreshold
        self.spoolDirectory = spoolDirectory
        self.threadPool = threadPool
        self.spoolFromStart = (expectedLength ?? 0) > spoolThreshold
    }

    /// True once the body lives in a file.
    var isSpooled: Bool { writer != nil }

    mutating func append(_ buffer: ByteBuffer) async throws {
        count += buffer.readableBytes
        guard count <= limit else { throw TooLarge(limit: limit) }
        if writer == nil, !spoolFromStart, count <= spoolThreshold {
            memory.writeImmutableBuffer(buffer)
            return
        }
        if writer == nil {
            let directory = spoolDirectory
            do {
                writer = try await threadPool.runIfActive { try SpoolFileWriter(directory: directory) }
            } catch {
                throw SpoolFailure(underlying: error)
            }
            if memory.readableBytes > 0 {
                pending.append(memory)
                pendingBytes += memory.readableBytes
                memory = ByteBuffer()
            }
        }
        pending.append(buffer)
        pendingBytes += buffer.readableBytes
        if pendingBytes >= Self.flushSize { try await flush() }
    }

    /// The whole body: a memory source, or a `SpooledByteSource` over the temporary file.
    mutating func finish() async throws -> any ByteSource {
        guard let writer else { return MemoryByteSource(Array(memory.readableBytesView)) }
        try await flush()
        let file = writer.file
        do {
            return try await threadPool.runIfActive { try SpooledByteSource(file: file) }
        } catch {
            throw SpoolFailure(underlying: error)
        }
    }

    private mutating func flush() async throws {
        guard let writer, pendingBytes > 0 else { return }
        let batch = pending
        let offset = written
        do {
            try await threadPool.runIfActive { try writer.write(batch, at: offset) }
        } catch {
            throw SpoolFailure(underlying: error)
        }
        written += pendingBytes
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }
}
