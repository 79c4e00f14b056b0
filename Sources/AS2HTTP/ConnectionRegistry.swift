import NIOCore
import Synchronization

/// The server's live connections: bounds how many are served at once, and on shutdown tells idle
/// connections (between requests) from busy ones, which finish their request first.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        var busy: Bool
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextID = 0
        var slotsTaken = 0
        var waiters: [CheckedContinuation<Bool, Never>] = []
        var shuttingDown = false
    }

    let maxConnections: Int
    private let state = Mutex(State())

    init(maxConnections: Int) {
        self.maxConnections = max(1, maxConnections)
    }

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    var connectionCount: Int { state.withLock { $0.entries.count } }

    /// Waits until fewer than `maxConnections` are served; false once shutdown has begun.
    func acquireSlot() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let granted: Bool? = state.withLock { s in
                if s.shuttingDown { return false }
                if s.slotsTaken < maxConnections {
                    s.slotsTaken += 1
                    return true
                }
                s.waiters.append(continuation)
                return nil
            }
            if let granted { continuation.resume(returning: granted) }
        }
    }

    /// Gives a slot back, handing it to the longest waiter if any.
    func releaseSlot() {
        let next: CheckedContinuation<Bool, Never>? = state.withLock { s in
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.slotsTaken -= 1
            return nil
        }
        next?.resume(returning: true)
    }

    /// Adds a connection; nil once shutdown has begun (the caller closes it).
    func register(_ channel: any Channel) -> Int? {
        state.withLock { s in
            if s.shuttingDown { return nil }
            s.nextID += 1
            s.entries[s.nextID] = Entry(channel: channel, busy: false)
            return s.nextID
        }
    }

    func remove(_ id: Int) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// A request head arrived: the connection is busy. False once shutdown has begun (the request
    /// is dropped; the connection is being closed).
    func beginRequest(_ id: Int) -> Bool {
        state.withLock { s in
            if s.shuttingDown { return false }
            s.entries[id]?.busy = true
            return true
        }
    }

    /// The response is written: the connection is idle again. False once shutdown has begun (the
    /// connection must close instead of waiting for another request).
    func endRequest(_ id: Int) -> Bool {
        state.withLock { s in
            s.entries[id]?.busy = false
            return !s.shuttingDown
        }
    }

    /// Stops admitting connections and requests. Returns the channels to close now: the idle ones,
    /// or all of them when `graceful` is false.
    func beginShutdown(graceful: Bool) -> [any Channel] {
        let (channels, waiters) = state.withLock { s -> ([any Channel], [CheckedContinuation<Bool, Never>]) in
            s.shuttingDown = true
            let waiters = s.waiters
            s.waiters.removeAll()
            let channels = s.entries.values.filter { !graceful || !$0.busy }.map(\.channel)
            return (channels, waiters)
        }
        for waiter in waiters { waiter.resume(returning: false) }
        return channels
    }
}
