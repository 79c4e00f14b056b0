/// Bounds applied while parsing untrusted MIME, so a hostile message cannot exhaust memory or time.
public struct MIMELimits: Sendable {
    /// Longest header block of one entity (its header lines, without the empty line).
    public var maxHeaderBytes: Int
    /// Most header fields in one entity.
    public var maxHeaderCount: Int
    /// Most body parts in one multipart (and in total when flattening nested multiparts).
    public var maxParts: Int
    /// Deepest nesting of multiparts inside multiparts (`Multipart.leaves`).
    public var maxDepth: Int
    /// Bytes read from the source at a time while scanning a body for delimiters.
    public var chunkSize: Int

    public init(
        maxHeaderBytes: Int = 64 * 1024,
        maxHeaderCount: Int = 100,
        maxParts: Int = 64,
        maxDepth: Int = 6,
        chunkSize: Int = 64 * 1024
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxParts = maxParts
        self.maxDepth = maxDepth
        self.chunkSize = Swift.max(1, chunkSize)
    }
}
