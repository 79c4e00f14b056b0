/// A file found in an outbox by `OutboxScanner`, ready to be claimed.
public struct ScannedFile: Sendable, Hashable {
    /// Absolute (or spool-relative, as the outbox was given) path of the file.
    public let path: String
    /// Path inside the outbox, `/`-separated, e.g. `2024/inv.edi`.
    public let subpath: String
    public let size: Int
    /// Modification time, nanoseconds since the epoch.
    public let modified: Int64
}
