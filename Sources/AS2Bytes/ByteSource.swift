/// A read-only, random-access sequence of bytes: a buffer in memory, a range of a file, or a
/// concatenation of those. Every layer of a message is a `ByteSource`, so a 200 MiB payload is
/// hashed, signed, encrypted and delivered without ever sitting whole in memory.
///
/// Implementations are immutable and safe to read from several tasks at once.
public protocol ByteSource: Sendable {
    /// Number of bytes in the source.
    var count: Int { get }
    /// Reads up to `length` bytes starting at `offset` (clamped to the end of the source).
    func read(at offset: Int, length: Int) throws -> [UInt8]
}

/// The chunk size used for streaming reads: large enough for syscalls to be cheap, small enough
/// that a handful of them in flight stay well inside the memory budget.
public let defaultChunkSize = 256 * 1024

extension ByteSource {
    public var isEmpty: Bool { count == 0 }

    /// Reads the whole source into memory. Refuses (throws `ByteError.tooLarge`) past `limit`.
    public func readAll(limit: Int = 64 * 1024 * 1024) throws -> [UInt8] {
        guard count <= limit else { throw ByteError.tooLarge(size: count, limit: limit) }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        try forEachChunk { out.append(contentsOf: $0) }
        return out
    }

    /// Calls `body` with consecutive chunks covering the whole source, in order.
    public func forEachChunk(size: Int = defaultChunkSize, _ body: ([UInt8]) throws -> Void) throws {
        var offset = 0
        while offset < count {
            let chunk = try read(at: offset, length: Swift.min(size, count - offset))
            guard !chunk.isEmpty else { throw ByteError.shortRead(offset: offset) }
            try body(chunk)
            offset += chunk.count
        }
    }

    /// A view of `range` of this source, without copying.
    public func slice(_ range: Range<Int>) -> ByteSlice {
        ByteSlice(base: self, range: range.clamped(to: 0..<count))
    }

    /// A sequential reader over the whole source.
    public func reader(chunkSize: Int = defaultChunkSize) -> ByteSourceReader {
        ByteSourceReader(source: self, chunkSize: chunkSize)
    }

    /// Copies the whole source into `sink`, chunk by chunk.
    public func copy(to sink: some ByteSink) throws {
        try forEachChunk { try sink.write($0) }
    }

    /// True when the bytes of this source equal `other`'s, compared chunk by chunk.
    public func contentEquals(_ other: some ByteSource) throws -> Bool {
        guard count == other.count else { return false }
        var offset = 0
        while offset < count {
            let n = Swift.min(defaultChunkSize, count - offset)
            if try read(at: offset, length: n) != other.read(at: offset, length: n) { return false }
            offset += n
        }
        return true
    }
}

/// Bytes held in memory.
public struct MemoryByteSource: ByteSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public var count: Int { bytes.count }
    public func read(at offset: Int, length: Int) throws -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= bytes.count else { throw ByteError.outOfRange(offset: offset) }
        return Array(bytes[offset..<Swift.min(bytes.count, offset + length)])
    }
}

/// A range of another source (a MIME part inside a message, a payload inside a file).
public struct ByteSlice: ByteSource {
    public let base: any ByteSource
    public let range: Range<Int>
    public init(base: any ByteSource, range: Range<Int>) {
        // Slicing a slice refers to the original source, so nesting stays one level deep.
        if let inner = base as? ByteSlice {
            self.base = inner.base
            self.range = (inner.range.lowerBound + range.lowerBound)..<(inner.range.lowerBound + range.upperBound)
        } else {
            self.base = base
            self.range = range
        }
    }
    public var count: Int { range.count }
    public func read(at offset: Int, length: Int) throws -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= range.count else { throw ByteError.outOfRange(offset: offset) }
        return try base.read(at: range.lowerBound + offset, length: Swift.min(length, range.count - offset))
    }
}

/// Several sources read as one: MIME headers in memory followed by a payload in a file, or a whole
/// multipart/signed entity assembled without copying its parts.
public struct ConcatenatedByteSource: ByteSource {
    public let parts: [any ByteSource]
    private let starts: [Int]
    public let count: Int

    public init(_ parts: [any ByteSource]) {
        let nonEmpty = parts.filter { $0.count > 0 }
        self.parts = nonEmpty
        var starts: [Int] = []
        var total = 0
        for p in nonEmpty {
            starts.append(total)
            total += p.count
        }
        self.starts = starts
        self.count = total
    }

    public func read(at offset: Int, length: Int) throws -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= count else { throw ByteError.outOfRange(offset: offset) }
        var out: [UInt8] = []
        var pos = offset
        let end = Swift.min(count, offset + length)
        // Binary search for the part holding `offset`.
        var lo = 0
        var hi = parts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= pos { lo = mid } else { hi = mid - 1 }
        }
        var i = lo
        while pos < end, i < parts.count {
            let local = pos - starts[i]
            let n = Swift.min(end - pos, parts[i].count - local)
            let chunk = try parts[i].read(at: local, length: n)
            if out.isEmpty && pos + chunk.count == end { return chunk }
            out.append(contentsOf: chunk)
            pos += chunk.count
            i += 1
        }
        return out
    }
}

/// Reads a source front to back in chunks (for code that consumes streams, such as a digest).
public struct ByteSourceReader: Sendable {
    public let source: any ByteSource
    public let chunkSize: Int
    public private(set) var offset: Int = 0

    public init(source: any ByteSource, chunkSize: Int = defaultChunkSize) {
        self.source = source
        self.chunkSize = chunkSize
    }

    /// The next chunk, or nil at the end.
    public mutating func next(max: Int? = nil) throws -> [UInt8]? {
        guard offset < source.count else { return nil }
        let chunk = try source.read(at: offset, length: Swift.min(max ?? chunkSize, source.count - offset))
        guard !chunk.isEmpty else { throw ByteError.shortRead(offset: offset) }
        offset += chunk.count
        return chunk
    }
}
