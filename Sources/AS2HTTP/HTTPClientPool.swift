import NIOCore
import Synchronization

/// The client's open connections: idle ones kept per `HTTPClientConnectionKey` for reuse (most
/// recently used first, at most `maxIdlePerKey`, each closed after `idleTimeout`), and every open
/// one tracked so that shutdown can close them.
final class HTTPClientPool: Sendable {
    private struct Idle {
        let connection: HTTPClientConnection
        let expiry: Scheduled<Void>
    }

    private struct State {
        var idle: [HTTPClientConnectionKey: [Idle]] = [:]
        var open: [ObjectIdentifier: HTTPClientConnection] = [:]
        var isShutDown = false
    }

    let maxIdlePerKey: Int
    let idleTimeout: TimeAmount
    private let state = Mutex(State())

    init(maxIdlePerKey: Int, idleTimeout: TimeAmount) {
        self.maxIdlePerKey = maxIdlePerKey
        self.idleTimeout = idleTimeout
    }

    var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Open connections, idle or busy.
    var openCount: Int { state.withLock { $0.open.count } }

    /// Idle connections for `key`.
    func idleCount(for key: HTTPClientConnectionKey) -> Int { state.withLock { $0.idle[key]?.count ?? 0 } }

    /// The most recently used idle connection for `key` that is still open, now busy; nil if none.
    func take(_ key: HTTPClientConnectionKey) -> HTTPClientConnection? {
        state.withLock { s -> HTTPClientConnection? in
            while let entry = s.idle[key]?.popLast() {
                entry.expiry.cancel()
                if entry.connection.isUsable { return entry.connection }
            }
            s.idle[key] = nil
            return nil
        }
    }

    /// Tracks a new connection until it closes; false (and the connection is closed) once shut down.
    func add(_ connection: HTTPClientConnection) -> Bool {
        let added = state.withLock { s -> Bool in
            if s.isShutDown { return false }
            s.open[ObjectIdentifier(connection)] = connection
            return true
        }
        guard added else {
            connection.close()
            return false
        }
        connection.channel.closeFuture.whenComplete { [self] _ in remove(connection) }
        return true
    }

    /// Puts a connection back after a complete exchange, or closes it when the pool is shut down
    /// or already holds `maxIdlePerKey` idle connections for its key.
    func release(_ connection: HTTPClientConnection) {
        let key = connection.key
        let expiry = connection.channel.eventLoop.scheduleTask(in: idleTimeout) { [self] in expire(connection) }
        let kept = state.withLock { s -> Bool in
            guard !s.isShutDown, s.open[ObjectIdentifier(connection)] != nil, (s.idle[key]?.count ?? 0) < maxIdlePerKey else {
                return false
            }
            s.idle[key, default: []].append(Idle(connection: connection, expiry: expiry))
            return true
        }
        if !kept {
            expiry.cancel()
            connection.close()
        }
    }

    /// Stops keeping connections and returns all open ones, for the caller to close.
    func shutdown() -> [HTTPClientConnection] {
        state.withLock { s in
            s.isShutDown = true
            for entries in s.idle.values { for entry in entries { entry.expiry.cancel() } }
            s.idle = [:]
            return Array(s.open.values)
        }
    }

    /// Takes every idle connection out of the pool and returns them, for the caller to close;
    /// connections carrying a request finish it and are kept afterwards as usual.
    func takeIdle() -> [HTTPClientConnection] {
        state.withLock { s in
            let entries = s.idle.values.flatMap { $0 }
            s.idle = [:]
            for entry in entries { entry.expiry.cancel() }
            return entries.map(\.connection)
        }
    }

    /// The idle timeout passed: closes the connection if it is still idle.
    private func expire(_ connection: HTTPClientConnection) {
        let wasIdle = state.withLock { Self.removeIdle(connection, from: &$0) != nil }
        if wasIdle { connection.close() }
    }

    private func remove(_ connection: HTTPClientConnection) {
        state.withLock { s in
            s.open[ObjectIdentifier(connection)] = nil
            Self.removeIdle(connection, from: &s)?.expiry.cancel()
        }
    }

    /// Takes `connection` out of the idle list of its key, if it is there.
    private static func removeIdle(_ connection: HTTPClientConnection, from s: inout State) -> Idle? {
        guard var entries = s.idle[connection.key], let index = entries.firstIndex(where: { $0.connection === connection }) else {
            return nil
        }
        let entry = entries.remove(at: index)
        s.idle[connection.key] = entries.isEmpty ? nil : entries
        return entry
    }
}
