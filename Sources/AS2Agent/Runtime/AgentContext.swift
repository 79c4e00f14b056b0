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
    /// Sends and resumes in flight, which SIGTERM lets finish.
    public let inFlight = InFlightWork()

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

    /// Returns when signalled, after `timeout`, or when the task is cancelled, whichever comes first.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Parks until `signal()`; a cancelled task is resumed at once (the scheduler must stop on SIGTERM).
    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if pending {
                        pending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    waiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c: CheckedContinuation<Void, Never>? = lock.withLock {
                defer { waiter = nil }
                return waiter
            }
            c?.resume()
        }
    }
}
