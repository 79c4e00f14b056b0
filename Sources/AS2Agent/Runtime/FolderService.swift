import AS2Spool
import Foundation
import Logging

/// Watches every partner's outbox (through `as2-agent-watch`) and hands complete files to the
/// outbound service. Rescans on start, overflow, watcher restarts and reloads; an optional timer
/// rescan covers network filesystems where inotify misses remote writes.
public final class FolderService: Sendable {
    let context: AgentContext
    let outbound: OutboundService
    let watcher: Watcher
    let readiness: Readiness

    public init(context: AgentContext, outbound: OutboundService, readiness: Readiness, watcherExecutable: String? = nil) {
        self.context = context
        self.outbound = outbound
        self.readiness = readiness
        let snapshot = context.snapshot
        watcher = Watcher(
            directories: snapshot.partners.map(\.folders.outbox),
            configuration: Watcher.Configuration(executable: watcherExecutable, rules: snapshot.configuration.folders.ignoreRules),
            logger: context.logger
        )
    }

    var outboxes: [String] { context.snapshot.outboxes }

    func feed() -> OutboxFeed { OutboxFeed(scanner: OutboxScanner(rules: context.snapshot.configuration.folders.ignoreRules, logger: context.logger), logger: context.logger) }

    /// Creates every partner's outbox, then watches them; sent/, failed/ and inbox/ are created
    /// once the watcher is ready (and the work area when first used), so that a first start with
    /// thousands of partners is not held up by their mkdir calls.
    public func run() async throws {
        for p in context.snapshot.partners { try p.folders.createOutbox() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.watcher.run() }
            group.addTask { await self.consume() }
            group.addTask { await self.periodicRescan() }
            try await group.next()
            group.cancelAll()
        }
    }

    func consume() async {
        var foldersComplete = false
        for await event in watcher.events {
            switch event {
            case .ready:
                readiness.set(true)
                rescan()
                if !foldersComplete {
                    foldersComplete = true
                    createResultFolders()
                }
            default:
                for path in feed().files(for: event, outboxes: outboxes) { submit(path) }
            }
        }
    }

    /// Every partner's sent/, failed/ and inbox/; stops early when the agent stops.
    func createResultFolders() {
        for p in context.snapshot.partners {
            if Task.isCancelled { return }
            do { try p.folders.createResultFolders() } catch {
                context.logger.error("cannot create a partner folder", metadata: ["partner": "\(p.name)", "error": "\(error)"])
            }
        }
    }

    func rescan() {
        for path in feed().scanAll(outboxes: outboxes) { submit(path) }
    }

    func submit(_ path: String) {
        guard !context.inFlight.isDraining else { return }  // stopping: the next start picks it up
        context.inFlight.start { [outbound] in await outbound.send(file: path) }
    }

    func periodicRescan() async {
        while !Task.isCancelled {
            let interval = context.snapshot.configuration.folders.rescanInterval
            if interval <= .zero {
                try? await Task.sleep(for: .seconds(60))
                continue
            }
            try? await Task.sleep(for: interval)
            rescan()
        }
    }

    /// Applies a new partner list: creates folders (the work area is left to its first user, as
    /// at start-up) and restarts the watcher with the new outboxes.
    public func reload() async {
        for p in context.snapshot.partners {
            try? p.folders.createOutbox()
            try? p.folders.createResultFolders()
        }
        await watcher.reload(directories: outboxes)
    }
}
