import Synchronization

/// At most N sends in flight per partner, so one slow partner never blocks the others. Waiters get
/// their slot in arrival order. A lock, not an actor: taking a free slot does not suspend, and
/// `release` is synchronous (the actor needed a `Task` per release, two per file sent).
final class ConcurrencyLimiter: Sendable {
    private struct State {
        var running: [String: Int] = [:]
        var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

        /// Takes a slot if one is free.
        mutating func take(_ key: String, limit: Int) -> Bool {
            guard running[key, default: 0] < max(1, limit) else { return false }
            running[key, default: 0] += 1
            return true
        }
    }

    private let state = Mutex(State())

    func acquire(_ key: String, limit: Int) async {
        if state.withLock({ $0.take(key, limit: limit) }) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { s -> Bool in
                if s.take(key, limit: limit) { return true }  // released meanwhile
                s.waiting[key, default: []].append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release(_ key: String) {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if var queue = s.waiting[key], !queue.isEmpty {
                let next = queue.removeFirst()
                s.waiting[key] = queue.isEmpty ? nil : queue
                return next  // the slot passes to the waiter
            }
            let left = s.running[key, default: 1] - 1
            s.running[key] = left > 0 ? left : nil
            return nil
        }
        next?.resume()
    }

    /// Slots taken for `key` (for tests).
    func running(_ key: String) -> Int { state.withLock { $0.running[key, default: 0] } }

    /// Tasks waiting for a slot for `key` (for tests).
    func waiting(_ key: String) -> Int { state.withLock { $0.waiting[key]?.count ?? 0 } }
}
