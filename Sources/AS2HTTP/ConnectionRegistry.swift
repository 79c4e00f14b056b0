import NIOCore
import Synchronization

/// The server's live connections: bounds how many are served at once, and on shutdown tells idle
/// connections (between requests) from busy ones, which finish their request first. When every
/// slot is taken and a new client waits, the connection kept alive idle the longest is closed to
/// make room: partners' keep-alive pools must not lock other partners out until they time out.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        var busy: Bool
        /// Since when the connection has waited for its next request after serving one (nil: busy,
        /// or no request yet; only a kept-alive connection is closed to make room).
        var idleSince: ContinuousClock.Instant?
        var evicting = false
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
            if let granted {
                continuation.resume(returning: granted)
            } else {
                makeRoom()
            }
        }
    }

    /// Closes the longest-idle kept-alive connection for each waiter not yet covered by one being
    /// closed; its slot then passes to the waiter (`releaseSlot`).
    private func makeRoom() {
        let victims: [any Channel] = state.withLock { s in
            var victims: [any Channel] = []
            var closing = s.entries.values.filter(\.evicting).count
            while closing < s.waiters.count {
                guard let (id, entry) = s.entries.filter({ !$0.value.busy && !$0.value.evicting && $0.value.idleSince != nil })
                    .min(by: { $0.value.idleSince! < $1.value.idleSince! })
                else { break }
                s.entries[id]?.evicting = true
                victims.append(entry.channel)
                closing += 1
            }
            return victims
        }
        for channel in victims { channel.close(promise: nil) }
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
            if s.shuttingDown || s.entries[id]?.evicting == true { return false }
            s.entries[id]?.busy = true
            s.entries[id]?.idleSince = nil
            return true
        }
    }

    /// The response is written: the connection is idle again. False once shutdown has begun (the
    /// connection must close instead of waiting for another request).
    func endRequest(_ id: Int) -> Bool {
        let (keep, waiting) = state.withLock { s -> (Bool, Bool) in
            s.entries[id]?.busy = false
            s.entries[id]?.idleSince = .now
            return (!s.shuttingDown, !s.waiters.isEmpty)
        }
        if waiting { makeRoom() }  // a client waits for a slot: this connection may be the one to go
        return keep
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
