/// `[folders]`: which outbox files are ignored, the optional periodic rescan (network file
/// systems deliver no inotify events), and the default number of parallel sends per partner.
public struct FolderSettings: Sendable, Equatable {
    /// File names starting with one of these are never picked up.
    public var ignorePrefixes: [String]
    /// File names ending with one of these (ignoring ASCII case) are never picked up (write-then-rename).
    public var ignoreSuffixes: [String]
    /// Interval of a full outbox rescan; zero turns it off.
    public var rescanInterval: Duration
    /// Default for each partner's `send_concurrency`.
    public var sendConcurrency: Int

    public static let `default` = FolderSettings()

    public init(
        ignorePrefixes: [String] = ["."], ignoreSuffixes: [String] = [".tmp", ".part", ".filepart", "~"],
        rescanInterval: Duration = .zero, sendConcurrency: Int = 4
    ) {
        self.ignorePrefixes = ignorePrefixes
        self.ignoreSuffixes = ignoreSuffixes
        self.rescanInterval = rescanInterval
        self.sendConcurrency = sendConcurrency
    }

    /// Whether a file with this base name is skipped by the outbox watcher.
    public func ignores(fileName: String) -> Bool {
        let lower = fileName.lowercased()
        return ignorePrefixes.contains(where: { fileName.hasPrefix($0) })
            || ignoreSuffixes.contains(where: { lower.hasSuffix($0.lowercased()) })
    }
}
