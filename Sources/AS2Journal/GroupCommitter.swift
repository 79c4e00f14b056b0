import GRDB

/// Coalesces concurrent write operations into shared transactions (group commit): while one
/// transaction is being committed (and fsynced), new operations queue up; the next transaction
/// carries all of them. Each operation runs in its own savepoint, so one that throws rolls back
/// alone. No caller is resumed before the transaction holding its operation has committed; a
/// transaction is fsynced (`synchronous = FULL`) when any of its operations asked for durability,
/// and otherwise only written to the WAL (`NORMAL`: consistent after a crash, but possibly without
/// its last commits; the next durable commit fsyncs them too, as the WAL is appended in order).
actor GroupCommitter {
    /// One queued operation. `run` executes it inside the open transaction and returns how to
    /// resume its caller after the commit; `fail` resumes the caller when the commit fails.
    private struct Job: Sendable {
        let durable: Bool
        let run: @Sendable (Database) -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private let writer: any DatabaseWriter
    private var pending: [Job] = []
    private var isDraining = false
    private var inFlight = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var statistics = GroupCommitStatistics(transactions: 0, operations: 0, largestBatch: 0)
    /// The writer connection's `synchronous` setting as last set here (`Journal.open` sets FULL);
    /// nil when unknown (after a failed transaction), so the next one sets it again.
    private var synchronousIsFull: Bool? = true

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
            pending.append(job)
            if !isDraining {
                isDraining = true
                Task { await self.drain() }
            }
        }
    }

    /// Counters since the journal was opened.
    func currentStatistics() -> GroupCommitStatistics { statistics }

    /// Operations in the transaction being committed, and queued behind it (for tests).
    func queuedCounts() -> (inFlight: Int, pending: Int) { (inFlight, pending.count) }

    /// Returns once every operation queued so far has been committed or has failed.
    func waitUntilIdle() async {
        guard isDraining else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func drain() async {
        // Let writers that are already running enqueue before the first transaction starts.
        await Task.yield()
        while !pending.isEmpty {
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            inFlight = batch.count
            defer { inFlight = 0 }
            do {
                let durable = batch.contains { $0.durable }
                let setSynchronous = synchronousIsFull != durable
                synchronousIsFull = nil
                let resumes = try await writer.writeWithoutTransaction { db in
                    if setSynchronous { try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL") }
                    var resumes: [@Sendable () -> Void] = []
                    try db.inTransaction(.immediate) {
                        resumes = batch.map { $0.run(db) }
                        return .commit
                    }
                    return resumes
                }
                synchronousIsFull = durable
                if durable { statistics.durableTransactions += 1 }
                statistics.transactions += 1
                statistics.operations += batch.count
                statistics.largestBatch = max(statistics.largestBatch, batch.count)
                for resume in resumes { resume() }
            } catch {
                let failure = JournalError.storage(error)
                for job in batch { job.fail(failure) }
            }
        }
        isDraining = false
        let waiters = idleWaiters
        idleWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}
