import Foundation
import GRDB
import Synchronization

/// Durable message state: the agent's memory of every message across crashes (DESIGN.md §5).
/// SQLite in WAL mode with `synchronous = FULL`; concurrent writes share transactions (group
/// commit) and no method returns before its change is on disk. Reads run beside writes.
public final class Journal: Sendable {
    /// Clock used for `created_at`, `updated_at` and event times.
    public typealias Clock = @Sendable () -> Date

    let writer: any DatabaseWriter
    let committer: GroupCommitter
    let clock: Clock
    let checkpointer: WALCheckpointer?
    /// Received messages being processed, by duplicate key, with their body digests: the claim
    /// `beginInbound` takes and `completeInbound`/`abandonInbound` release (nothing is journaled
    /// before completion, so nothing of it needs to survive a crash).
    let inboundClaims = Mutex(InboundClaims())
    /// Where the database lives (`:memory:` for in-memory journals), for messages.
    public let path: String

    private init(writer: any DatabaseWriter, path: String, clock: @escaping Clock, checkpointer: WALCheckpointer? = nil) {
        self.writer = writer
        self.committer = GroupCommitter(writer: writer)
        self.clock = clock
        self.path = path
        self.checkpointer = checkpointer
    }

    /// Opens (creating if needed) the journal at `path` and brings its schema up to date.
    /// Throws `schemaTooNew` if a newer agent version wrote it.
    public static func open(path: String, clock: @escaping Clock = { Date() }) throws -> Journal {
        do {
            let pool = try DatabasePool(path: path, configuration: configuration())
            // WAL + FULL: a commit returns only once the WAL is fsynced. GRDB sets NORMAL when it
            // enables WAL on the writer connection (the only one that writes), so set FULL after.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try migrate(pool, path: path)
            return Journal(writer: pool, path: path, clock: clock, checkpointer: try WALCheckpointer(path: path))
        } catch {
            throw JournalError.storage(error)
        }
    }

    /// A private in-memory journal (tests, dry runs).
    public static func inMemory(clock: @escaping Clock = { Date() }) throws -> Journal {
        do {
            let queue = try DatabaseQueue(configuration: configuration())
            try migrate(queue, path: ":memory:")
            return Journal(writer: queue, path: ":memory:", clock: clock)
        } catch {
            throw JournalError.storage(error)
        }
    }

    /// Waits for queued writes to commit, then closes the database.
    public func close() async throws {
        await committer.waitUntilIdle()
        do {
            try writer.close()
        } catch {
            throw JournalError.storage(error)
        }
        // Last: as the only connection left, its final checkpoint empties the WAL.
        await checkpointer?.stop()
    }

    /// Group-commit counters since open.
    public func statistics() async -> GroupCommitStatistics {
        await committer.currentStatistics()
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.label = "as2-journal"
        configuration.foreignKeysEnabled = true
        // A writer blocked by another process (sqlite3 .backup, the CLI) waits instead of failing.
        configuration.busyMode = .timeout(10)
        // Statement journals of the group committer's savepoints (and sorts) stay in memory
        // instead of temp files created and deleted in /var/tmp.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // A WAL that grew under a burst is cut back to 64 MiB once it restarts.
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        return configuration
    }

    private static func migrate(_ writer: any DatabaseWriter, path: String) throws {
        let migrator = JournalSchema.migrator
        let superseded = try writer.read { db in try migrator.hasBeenSuperseded(db) }
        if superseded { throw JournalError.schemaTooNew(path) }
        try migrator.migrate(writer)
    }

    // MARK: - Plumbing shared by the extensions

    /// Runs `operation` in the next group transaction. Once submitted, a write is committed even
    /// if the calling task is cancelled. `durable: false` returns once committed to the WAL without
    /// waiting for its fsync: only for changes whose loss in a crash is harmless (the state before
    /// them is recovered correctly), since the next durable commit is what puts them on disk.
    func write<T: Sendable>(durable: Bool = true, _ operation: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await committer.perform(durable: durable, operation)
        } catch {
            throw JournalError.storage(error)
        }
    }

    /// Runs a short `operation` (one indexed lookup) on a read-only snapshot on the calling thread:
    /// SQLite in WAL mode never waits for the writer, so the lookup takes microseconds, where the
    /// async `read` hops to a reader queue and back (two thread wake-ups per call). For the hot
    /// path of every received message only; anything longer uses `read`.
    func readNow<T>(_ operation: (Database) throws -> T) throws -> T {
        do {
            return try writer.read(operation)
        } catch {
            throw JournalError.storage(error)
        }
    }

    /// Runs `operation` on a read-only snapshot of committed data. Unlike writes, a read is
    /// abandoned (`CancellationError`) when the calling task is cancelled.
    func read<T: Sendable>(_ operation: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(operation)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw JournalError.storage(error)
        }
    }

    /// Fetches the row `id` of `direction` or throws `messageNotFound`.
    static func fetchRow(_ db: Database, _ id: Int64, _ direction: MessageDirection) throws -> MessageRow {
        // A cached statement: building and preparing the query on every call was a tenth of the
        // agent's CPU per message.
        let statement = try db.cachedStatement(sql: "SELECT * FROM message WHERE id = ?")
        guard let row = try MessageRow.fetchOne(statement, arguments: [id]), row.direction == direction else {
            throw JournalError.messageNotFound(id, direction)
        }
        return row
    }

    /// The row `id` of `direction`, or nil.
    static func fetchRowIfAny(_ db: Database, _ id: Int64, _ direction: MessageDirection) throws -> MessageRow? {
        let statement = try db.cachedStatement(sql: "SELECT * FROM message WHERE id = ?")
        guard let row = try MessageRow.fetchOne(statement, arguments: [id]), row.direction == direction else { return nil }
        return row
    }

    /// Saves `row` (setting `updated_at`) and appends the event describing the change.
    static func save(
        _ db: Database, _ row: inout MessageRow, now: Date, event kind: EventKind, detail: String?
    ) throws {
        row.updatedAt = now
        // insert or update, not save(): save() encodes the row once more to find its primary key.
        if row.id == nil { try row.insertCached(db) } else { try row.update(db) }
        guard let id = row.id else { throw JournalError.corruptRow(nil, "saved row has no id") }
        try appendEvent(db, id, now: now, kind: kind, state: row.state, detail: detail)
    }

    /// Appends an event without changing the row.
    static func appendEvent(
        _ db: Database, _ id: Int64, now: Date, kind: EventKind, state: String?, detail: String?
    ) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO event (message_row_id, at, kind, state, detail) VALUES (?, ?, ?, ?, ?)")
        try insert.execute(arguments: [id, now, kind.rawValue, state, detail])
    }
}
