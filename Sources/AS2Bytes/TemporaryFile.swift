/// A file in a work folder that is deleted when the last reference goes away (unless `keep()` is
/// called): spooled request bodies, decrypted layers, decompressed layers.
public final class TemporaryFile: Sendable {
    public let path: String
    private let kept = AtomicFlag()

    /// Creates an empty, uniquely named file in `directory`.
    public init(in directory: String, suffix: String = "") throws {
        try FileSystem.createDirectory(directory)
        path = directory + "/" + FileSystem.uniqueName(prefix: "tmp-", suffix: suffix)
        try FileSink(path: path, exclusive: true, mode: 0o600).close()
    }

    /// A sink that writes the file from the start.
    public func sink(limit: Int = Int.max) throws -> FileSink {
        try FileSink(path: path, exclusive: false, mode: 0o600, limit: limit)
    }

    /// The file's current content.
    public func source() throws -> FileByteSource { try FileByteSource(path: path) }

    /// Stops the automatic deletion (the file was moved or is now owned elsewhere).
    public func keep() { kept.set() }

    deinit {
        if !kept.isSet { try? FileSystem.remove(path) }
    }
}

/// A set-once flag usable from any thread.
final class AtomicFlag: @unchecked Sendable {
    // Guarded by `lock`; set at most once, read rarely.
    private var value = false
    private let lock = Mutex()
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
