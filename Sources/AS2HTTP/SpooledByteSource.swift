import AS2Bytes

/// A received body that was too large for memory: a temporary file that lives as long as this
/// source (or longer, after `file.keep()` when the file is moved elsewhere).
public struct SpooledByteSource: ByteSource {
    /// The spool file; deleted when the last reference goes away unless kept.
    public let file: TemporaryFile
    private let content: FileByteSource

    init(file: TemporaryFile) throws {
        self.file = file
        self.content = try file.source()
    }

    /// Path of the spool file.
    public var path: String { file.path }
    public var count: Int { content.count }
    public func read(at offset: Int, length: Int) throws -> [UInt8] {
        try content.read(at: offset, length: length)
    }
}
