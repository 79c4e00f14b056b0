/// Collects streamed output in memory up to `threshold` bytes, then moves it to a temporary file in
/// `directory` and continues there. `source()` gives the result as a `ByteSource` either way, so
/// small messages stay fast and large ones never sit in memory.
public final class SpoolingSink: ByteSink {
    public let threshold: Int
    public let directory: String
    public let limit: Int
    private var memory: [UInt8] = []
    private var file: TemporaryFile?
    private var fileSink: FileSink?
    public private(set) var bytesWritten: Int = 0

    public init(threshold: Int = 1 << 20, directory: String, limit: Int = Int.max) {
        self.threshold = threshold
        self.directory = directory
        self.limit = limit
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytesWritten + bytes.count <= limit else {
            throw ByteError.tooLarge(size: bytesWritten + bytes.count, limit: limit)
        }
        bytesWritten += bytes.count
        if let fileSink {
            try fileSink.write(bytes)
            return
        }
        if memory.count + bytes.count <= threshold {
            memory.append(contentsOf: bytes)
            return
        }
        let file = try TemporaryFile(in: directory)
        let sink = try file.sink()
        try sink.write(memory)
        try sink.write(bytes)
        memory = []
        self.file = file
        self.fileSink = sink
    }

    /// Finishes writing and returns what was written. The temporary file (if any) belongs to the
    /// returned source and is removed when that is released (a caller may link it elsewhere
    /// first: `FileByteSource.spooledFile`); after a crash, the agent sweeps stale ones at start.
    public func source() throws -> any ByteSource {
        guard let file, let fileSink else { return MemoryByteSource(memory) }
        try fileSink.close()
        let source = try FileByteSource(path: file.path, keeping: file)
        self.fileSink = nil
        self.file = nil
        return source
    }
}
