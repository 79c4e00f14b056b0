import Foundation
import Synchronization

/// The sends and resumes the agent has started and not finished, so that SIGTERM can let them
/// end (their receipt arrives, the file reaches sent/ or failed/) before the process exits.
/// Work still running when the drain gives up is left to the journal, which resumes it on the
/// next start.
public final class InFlightWork: Sendable {
    private struct State {
        var running = 0
        var draining = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Work started and not finished.
    public var count: Int { state.withLock { $0.running } }

    /// True once a drain began: new outbox files are left for the next start.
    public var isDraining: Bool { state.withLock { $0.draining } }

    /// Runs `work` in a new task, counted until it returns.
    public func start(_ work: @escaping @Sendable () async -> Void) {
        state.withLock { $0.running += 1 }
        Task {
            await work()
            let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.running -= 1
                guard s.running == 0 else { return [] }
                defer { s.waiters = [:] }
                return Array(s.waiters.values)
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Marks the drain and waits until no work runs or `timeout` passed (or the task is
    /// cancelled: a second signal). Returns how many were still running.
    public func drain(timeout: Duration) async -> Int {
        state.withLock { $0.draining = true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitUntilIdle() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return count
    }

    private func waitUntilIdle() async {
        let id = state.withLock { s -> UInt64 in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let idle = state.withLock { s -> Bool in
                    if s.running == 0 || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if idle { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
