import Foundation
import GRDB
import XCTest

@testable import AS2Journal

final class GroupCommitTests: XCTestCase {
    private func fileJournal() throws -> (Journal, String) {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        return (try Journal.open(path: path), path)
    }

    func testAReceivedMessageIsOneDurableCommitAndADuplicateEventWaitsForNoFsync() async throws {
        let (journal, path) = try fileJournal()
        let claim = try newInboundClaim(try await journal.beginTestInbound(1))
        var statistics = await journal.statistics()
        XCTAssertEqual(statistics.transactions, 0, "beginInbound writes nothing")
        let id = try await journal.completeInbound(claim, outcome: .rejected(disposition: "automatic-action/MDN-sent-automatically; processed/error: decryption-failed"), mdn: nil).id
        statistics = await journal.statistics()
        XCTAssertEqual(statistics.transactions, 1)
        XCTAssertEqual(statistics.durableTransactions, 1)
        let synchronousAfterComplete = try await journal.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        XCTAssertEqual(synchronousAfterComplete, 2, "FULL for the durable commit")
        guard case .duplicateCompleted = try await journal.beginTestInbound(1) else { return XCTFail("expected a duplicate") }
        statistics = await journal.statistics()
        XCTAssertEqual(statistics.transactions, 2)
        XCTAssertEqual(statistics.durableTransactions, 1, "the duplicate's event waits for no fsync")
        let synchronousAfterDuplicate = try await journal.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        XCTAssertEqual(synchronousAfterDuplicate, 1, "NORMAL for the non-durable commit")
        try await journal.receiveTestInbound(2)
        statistics = await journal.statistics()
        XCTAssertEqual(statistics.durableTransactions, 2)
        try await journal.close()
        let reopened = try Journal.open(path: path)
        let message = try await reopened.inbound(id)
        XCTAssertEqual(message?.state, .rejected)
        let kinds = try await reopened.events(for: id).map(\.kind)
        XCTAssertEqual(kinds, [.received, .rejected, .duplicate], "the durable commit after it carried the duplicate's event")
        try await reopened.close()
    }

    func test200ConcurrentWritesAllCommitAndAFailingOneRollsBackAlone() async throws {
        let (journal, path) = try fileJournal()
        enum Outcome: Sendable {
            case created(Int64)
            case refused(JournalError.Code)
        }
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for n in 1...200 {
                group.addTask {
                    if n % 20 == 0 {
                        // Every 20th write is invalid (no such message) and must fail alone.
                        do {
                            try await journal.recordAttempt(1_000_000 + Int64(n))
                            return .created(-1)
                        } catch let error as JournalError {
                            return .refused(error.code)
                        }
                    }
                    return .created(try await journal.createTestOutbound(n).id)
                }
            }
            var outcomes: [Outcome] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let created = outcomes.compactMap { if case .created(let id) = $0 { id } else { nil } }
        let refused = outcomes.compactMap { if case .refused(let code) = $0 { code } else { nil } }
        XCTAssertEqual(created.count, 190)
        XCTAssertEqual(Set(created).count, 190)
        XCTAssertFalse(created.contains(-1))
        XCTAssertEqual(refused, Array(repeating: .messageNotFound, count: 10))

        let statistics = await journal.statistics()
        XCTAssertEqual(statistics.operations, 200)
        XCTAssertGreaterThanOrEqual(statistics.transactions, 1)
        XCTAssertLessThanOrEqual(statistics.transactions, 200)
        try await journal.close()

        // Every acknowledged write is there after reopening, each with its one event.
        let reopened = try Journal.open(path: path)
        let rows = try await reopened.recent(limit: 1000)
        XCTAssertEqual(Set(rows.map(\.id)), Set(created))
        for id in created.prefix(20) {
            let events = try await reopened.events(for: id)
            XCTAssertEqual(events.map(\.kind), [.created])
        }
        try await reopened.close()
    }

    func testWritesQueuedBehindABusyTransactionShareOneCommit() async throws {
        let (journal, path) = try fileJournal()
        // Another connection holds the write lock, as `sqlite3 .backup` or a CLI write might.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: path, configuration: configuration)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }

        let before = await journal.statistics()
        let writes = Task {
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for n in 1...200 {
                    group.addTask { try await journal.createTestOutbound(n).id }
                }
                var ids: [Int64] = []
                for try await id in group { ids.append(id) }
                return ids
            }
        }
        // Wait until all 200 are either in the blocked transaction or queued behind it.
        var queued = (inFlight: 0, pending: 0)
        for _ in 0..<500 {
            queued = await journal.committer.queuedCounts()
            if queued.inFlight + queued.pending == 200 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertEqual(queued.inFlight + queued.pending, 200)
        let committedWhileBlocked = await journal.statistics()
        XCTAssertEqual(committedWhileBlocked, before, "nothing commits while the lock is held")
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }

        let ids = try await writes.value
        XCTAssertEqual(Set(ids).count, 200)
        let after = await journal.statistics()
        XCTAssertEqual(after.operations - before.operations, 200)
        // The blocked transaction, then (if any arrived after it started) one with everything queued behind it.
        XCTAssertEqual(after.transactions - before.transactions, queued.pending == 0 ? 1 : 2)
        XCTAssertEqual(after.largestBatch, max(queued.inFlight, queued.pending))
        XCTAssertGreaterThanOrEqual(after.largestBatch, 100)
        try await journal.close()
        try blocker.close()
    }

    func testCommitFailureFailsEveryOperationOfTheBatch() async throws {
        let (journal, path) = try fileJournal()
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: path, configuration: configuration)
        try await blocker.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA busy_timeout = 0")
            try db.execute(sql: "BEGIN IMMEDIATE")
        }
        // Shorten the journal's wait: its writer gives up when the lock is held this long.
        try await journal.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA busy_timeout = 50") }
        await assertJournalError(.storage) { try await journal.createTestOutbound(1) }
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        let created = try await journal.createTestOutbound(1)
        XCTAssertEqual(created.state, .queued, "the journal works again once the lock is released")
        try await journal.close()
        try blocker.close()
    }

    /// Prints operations and commits per second on this disk: one writer (each operation its own
    /// transaction and fsync) vs concurrent writers sharing transactions. No assertion on speed:
    /// the numbers depend on the disk, the build configuration and other load.
    func testMeasureSingleVersusGroupedCommits() async throws {
        let (journal, _) = try fileJournal()
        var next = 0
        var lines: [String] = []
        for (writers, perWriter) in [(1, 200), (8, 50), (64, 20)] {
            let before = await journal.statistics()
            let first = next
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for n in 0..<perWriter {
                            _ = try await journal.createTestOutbound(first + writer * perWriter + n)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - start
            next += writers * perWriter
            let after = await journal.statistics()
            let operations = after.operations - before.operations
            let transactions = after.transactions - before.transactions
            XCTAssertEqual(operations, writers * perWriter)
            if writers == 1 { XCTAssertEqual(transactions, operations, "a lone writer is never batched") }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            lines.append(
                String(
                    format: "[journal benchmark] %2d writer(s): %4d ops in %.3f s → %5.0f ops/s, %4d commits (%5.0f commits/s, %.1f ops/commit)",
                    writers, operations, seconds, Double(operations) / seconds, transactions,
                    Double(transactions) / seconds, Double(operations) / Double(transactions)))
        }
        print(lines.joined(separator: "\n"))
        let count = try await journal.recent(limit: 10_000).count
        XCTAssertEqual(count, next)
        try await journal.close()
    }
}
