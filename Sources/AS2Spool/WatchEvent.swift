/// What the `Watcher` reports. Every `.ready`, `.needsRescan` and `.overflow` asks the consumer
/// to rescan all outboxes (events may have been missed); `.newDirectory` asks it to rescan that
/// folder (files written into it before its watch was added produced no event).
public enum WatchEvent: Sendable, Hashable {
    /// The watch program has set every watch (at start and after a reload).
    case ready
    /// A file was closed after writing or moved in, and its name is not ignored.
    case fileReady(path: String)
    /// A folder appeared inside a watched outbox and is now watched.
    case newDirectory(path: String)
    /// The kernel's event queue overflowed; events were lost.
    case overflow
    /// The watch program died and was restarted; its watches are set again.
    case needsRescan
}
