import AS2Config
import AS2HTTP
import AS2Journal
import Foundation
import Logging

/// The services' shared dependencies. The configuration snapshot is the only mutable part
/// (replaced on reload); everything else lives as long as the agent.
public final class AgentContext: Sendable {
    public let journal: Journal
    public let client: HTTPClient
    public let directories: AgentDirectories
    public let metrics: AgentMetrics
    public let logger: Logger
    public let version: String
    private let state: SnapshotHolder
    /// Wakes the scheduler when new work is due earlier than it planned (new async MDN, retry).
    public let wakeups: Wakeup

    public init(snapshot: AgentSnapshot, journal: Journal, client: HTTPClient, directories: AgentDirectories, metrics: AgentMetrics, logger: Logger, version: String) {
        self.state = SnapshotHolder(snapshot)
        self.journal = journal
        self.client = client
        self.directories = directories
        self.metrics = metrics
        self.logger = logger
        self.version = version
        self.wakeups = Wakeup()
    }

    public var snapshot: AgentSnapshot { state.current }
    public func replace(_ snapshot: AgentSnapshot) { state.replace(snapshot) }
}

/// Holds the current snapshot; replaced atomically on reload.
final class SnapshotHolder: @unchecked Sendable {
    // Guarded by `lock`; the snapshot itself is an immutable value.
    private var value: AgentSnapshot
    private let lock = NSLock()
    init(_ value: AgentSnapshot) { self.value = value }
    var current: AgentSnapshot { lock.withLock { value } }
    func replace(_ new: AgentSnapshot) { lock.withLock { value = new } }
}

/// A level-triggered wake-up signal for a single waiting loop.
public final class Wakeup: @unchecked Sendable {
    // Guarded by `lock`.
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private let lock = NSLock()

    public init() {}

    public func signal() {
        let c: CheckedContinuation<Void, Never>? = lock.withLock {
            if let w = waiter {
                waiter = nil
                return w
            }
            pending = true
            return nil
        }
        c?.resume()
    }

    /// Returns when signalled or after `timeout`, whichever comes first.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow: Bool = self.lock.withLock {
                        if self.pending {
                            self.pending = false
                            return true
                        }
                        self.waiter = c
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            }
            group.addTask {
                // Also on cancellation: the waiting child must return, or the group never ends
                // (a spurious wake-up later only costs the loop one extra pass).
                try? await Task.sleep(for: timeout)
                self.signal()
            }
            await group.next()
            group.cancelAll()
        }
    }
}
