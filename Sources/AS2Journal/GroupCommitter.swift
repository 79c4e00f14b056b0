import GRDB
import Synchronization

/// Coalesces concurrent write operations into shared transactions (group commit): while one
/// transaction is being committed (and fsynced), new operations queue up; the next transaction
/// carries all of them. Each operation runs in its own savepoint, so one that throws rolls back
/// alone. No caller is resumed before the transaction holding its operation has committed; a
/// transaction is fsynced (`synchronous = FULL`) when any of its operations asked for durability,
/// and otherwise only written to the WAL (`NORMAL`: consistent after a crash, but possibly without
/// its last commits; the next durable commit fsyncs them too, as the WAL is appended in order).
///
/// Transactions run straight on the writer connection's queue (one job per transaction, the next
/// one queued while operations are pending) and callers are resumed from there: no task or actor
/// hop between the caller and the commit (an actor and a draining task were two more wake-ups
/// per transaction).
final class GroupCommitter: Sendable {
    /// One queued operation. `run` executes it inside the open transaction and returns how to
    /// resume its caller after the commit; `fail` resumes the caller when the commit fails.
    private struct Job: Sendable {
        let durable: Bool
        let run: @Sendable (Database) -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct State: Sendable {
        var pending: [Job] = []
        /// A transaction job is queued on the writer or running.
        var isDraining = false
        var inFlight = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var statistics = GroupCommitStatistics(transactions: 0, operations: 0, largestBatch: 0)
        /// The writer connection's `synchronous` setting as last set here (`Journal.open` sets
        /// FULL); nil when unknown (after a failed transaction), so the next one sets it again.
        var synchronousIsFull: Bool? = true
    }

    private let writer: any DatabaseWriter
    private let state = Mutex(State())

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Runs `operation` in the next group transaction and returns its result once committed (and,
    /// when `durable`, on disk).
    func perform<T: Sendable>(durable: Bool = true, _ operation: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                durable: durable,
                run: { db in
                    let result: Result<T, any Error>
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try operation(db)
                            return .commit
                        }
                        if let value {
                            result = .success(value)
                        } else {
                            result = .failure(JournalError.corruptRow(nil, "operation produced no value"))
                        }
                    } catch {
                        result = .failure(error)
                    }
                    return { continuation.resume(with: result) }
                },
                fail: { continuation.resume(throwing: $0) })
            let start = state.withLock { state in
                state.pending.append(job)
                if state.isDraining { return false }
                state.isDraining = true
                return true
            }
            if start { scheduleTransaction() }
        }
    }

    /// Counters since the journal was opened.
    func currentStatistics() async -> GroupCommitStatistics { state.withLock { $0.statistics } }

    /// Operations in the transaction being committed, and queued behind it (for tests).
    func queuedCounts() async -> (inFlight: Int, pending: Int) { state.withLock { ($0.inFlight, $0.pending.count) } }

    /// Returns once every operation queued so far has been committed or has failed.
    func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if !state.isDraining { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func scheduleTransaction() {
        writer.asyncWriteWithoutTransaction { db in self.commitBatch(db) }
    }

    /// On the writer's queue: one transaction with everything pending, then the next one queued
    /// (so other users of the writer get their turn between transactions), or idle.
    private func commitBatch(_ db: Database) {
        let (batch, durable, setSynchronous) = state.withLock { state in
            let batch = state.pending
            state.pending.removeAll(keepingCapacity: true)
            state.inFlight = batch.count
            let durable = batch.contains { $0.durable }
            let setSynchronous = state.synchronousIsFull != durable
            state.synchronousIsFull = nil
            return (batch, durable, setSynchronous)
        }
        if !batch.isEmpty {
            do {
                if setSynchronous { try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL") }
                var resumes: [@Sendable () -> Void] = []
                try db.inTransaction(.immediate) {
                    resumes = batch.map { $0.run(db) }
                    return .commit
                }
                state.withLock { state in
                    state.synchronousIsFull = durable
                    if durable { state.statistics.durableTransactions += 1 }
                    state.statistics.transactions += 1
                    state.statistics.operations += batch.count
                    state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
                }
                for resume in resumes { resume() }
            } catch {
                let failure = JournalError.storage(error)
                for job in batch { job.fail(failure) }
            }
        }
        let waiters: [CheckedContinuation<Void, Never>]? = state.withLock { state in
            state.inFlight = 0
            if !state.pending.isEmpty { return nil }
            state.isDraining = false
            defer { state.idleWaiters.removeAll() }
            return state.idleWaiters
        }
        guard let waiters else { return scheduleTransaction() }
        for waiter in waiters { waiter.resume() }
    }
}
