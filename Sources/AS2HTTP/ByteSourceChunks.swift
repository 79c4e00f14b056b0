import AS2Bytes
import NIOCore
import NIOPosix

/// Reads a `ByteSource` front to back as `ByteBuffer`s for writing onto a channel. File-backed reads
/// run on the thread pool; in-memory sources are sliced directly.
struct ByteSourceChunks {
    let source: any ByteSource
    let threadPool: NIOThreadPool
    let chunkSize: Int
    private(set) var offset = 0

    init(source: any ByteSource, threadPool: NIOThreadPool, chunkSize: Int = defaultChunkSize) {
        self.source = source
        self.threadPool = threadPool
        self.chunkSize = chunkSize
    }

    /// The next chunk, or nil at the end.
    mutating func next() async throws -> ByteBuffer? {
        guard offset < source.count else { return nil }
        let source = self.source
        let start = offset
        let length = Swift.min(chunkSize, source.count - offset)
        let bytes: [UInt8]
        if source is MemoryByteSource {
            bytes = try source.read(at: start, length: length)
        } else {
            bytes = try await threadPool.runIfActive { try source.read(at: start, length: length) }
        }
        guard !bytes.isEmpty else { throw ByteError.shortRead(offset: start) }
        offset += bytes.count
        return ByteBuffer(bytes: bytes)
    }
}
