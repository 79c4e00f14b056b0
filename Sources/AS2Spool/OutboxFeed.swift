import Logging

/// Turns watcher events into the files to claim, so every consumer applies the same rescan
/// rules: `.ready`, `.needsRescan` and `.overflow` rescan every outbox, `.newDirectory` rescans
/// that folder, `.fileReady` is the file itself. Duplicates are harmless: a file claimed twice
/// yields nil the second time.
public struct OutboxFeed: Sendable {
    public let scanner: OutboxScanner
    private let logger: Logger?

    public init(scanner: OutboxScanner = OutboxScanner(), logger: Logger? = nil) {
        self.scanner = scanner
        self.logger = logger
    }

    /// The paths to try to claim after `event`, oldest first; `outboxes` are the watched roots.
    public func files(for event: WatchEvent, outboxes: [String]) -> [String] {
        switch event {
        case let .fileReady(path):
            return SpoolFileSystem.status(path)?.kind == .regular ? [path] : []
        case let .newDirectory(path):
            let root = outboxes.map(OutboxScanner.trimmed).filter { path.hasPrefix($0 == "/" ? "/" : $0 + "/") }
                .max { $0.count < $1.count }
            guard let root else { return [] }
            return scan { try scanner.scan(directory: path, inOutbox: root) }
        case .ready, .needsRescan, .overflow:
            return scanAll(outboxes: outboxes)
        }
    }

    /// Every waiting file of every outbox, oldest first (start, timer rescans).
    public func scanAll(outboxes: [String]) -> [String] {
        var all: [ScannedFile] = []
        for outbox in outboxes { all += scanFiles { try scanner.scan(outbox: outbox) } }
        return all.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }.map(\.path)
    }

    private func scan(_ body: () throws -> [ScannedFile]) -> [String] { scanFiles(body).map(\.path) }

    private func scanFiles(_ body: () throws -> [ScannedFile]) -> [ScannedFile] {
        do {
            return try body()
        } catch {
            logger?.info("outbox scan failed", metadata: ["as2.error": "\(error)"])
            return []
        }
    }
}
