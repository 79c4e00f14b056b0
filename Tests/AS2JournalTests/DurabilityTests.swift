import Foundation
import GRDB
import XCTest

@testable import AS2Journal

final class DurabilityTests: XCTestCase {
    func testFileJournalIsWALWithFullSynchronousAndABusyTimeout() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        let journal = try Journal.open(path: path)
        let (mode, synchronous, timeout, foreignKeys) = try await journal.writer.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA busy_timeout"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        XCTAssertEqual(mode, "wal")
        XCTAssertEqual(synchronous, 2, "synchronous = FULL")
        XCTAssertEqual(timeout, 10_000)
        XCTAssertEqual(foreignKeys, 1)
        try await journal.close()
    }

    func testMigrationsRunOnAnEmptyDatabaseAndAreIdempotentOnReopen() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        let first = try Journal.open(path: path)
        let (tables, applied) = try await first.writer.read { db in
            (
                try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"),
                try JournalSchema.migrator.appliedIdentifiers(db)
            )
        }
        XCTAssertEqual(tables, ["certificate", "event", "grdb_migrations", "message"])
        XCTAssertEqual(Set(applied), ["v1: message and event", "v2: origin evidence", "v3: built body in the journal"])
        let id = try await first.createTestOutbound().id
        try await first.close()

        for _ in 0..<2 {
            let reopened = try Journal.open(path: path)
            let again = try await reopened.writer.read { db in try JournalSchema.migrator.appliedIdentifiers(db) }
            XCTAssertEqual(again, applied)
            let message = try await reopened.outbound(id)
            XCTAssertEqual(message?.state, .queued)
            try await reopened.close()
        }
    }

    func testTheWALIsCheckpointedInTheBackgroundAndEmptiedOnClose() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        let journal = try Journal.open(path: path)
        func size(_ file: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? Int) ?? -1 }
        // Fewer WAL pages than SQLite's own checkpoint threshold (1,000): only the background one copies them.
        for n in 1...41 { _ = try await journal.createTestOutbound(n) }
        XCTAssertLessThan((size(path + "-wal") - 32) / (4096 + 24), 1000, "WAL frames")
        let before = size(path)
        // Every 250 ms; a loaded machine may delay it, so wait up to 10 s.
        var waited = 0
        while size(path) <= before, waited < 100 {
            try await Task.sleep(for: .milliseconds(100))
            waited += 1
        }
        XCTAssertGreaterThan(size(path), before, "the checkpointer copied the WAL into the database file")
        try await journal.close()
        XCTAssertLessThanOrEqual(size(path + "-wal"), 0, "closing empties (or removes) the WAL")
        let reopened = try Journal.open(path: path)
        let rows = try await reopened.recent(limit: 1000)
        XCTAssertEqual(rows.count, 41)
        try await reopened.close()
    }

    func testAJournalOfTheFirstSchemaIsUpgradedInPlace() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try JournalSchema.migrator.migrate(old, upTo: "v1: message and event")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO message (direction, state, partner, as2_from, as2_to, message_id, message_id_key, created_at, updated_at)
                    VALUES ('inbound', 'delivered', 'acme', 'ACME', 'US', '<old@acme>', 'old@acme', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                    """)
            }
            try old.close()
        }
        let journal = try Journal.open(path: path)
        let applied = try await journal.writer.read { db in try JournalSchema.migrator.appliedIdentifiers(db) }
        XCTAssertEqual(Set(applied), ["v1: message and event", "v2: origin evidence", "v3: built body in the journal"])
        let old = try await journal.find(idOrMessageID: "<old@acme>")
        guard case let .inbound(message)? = old.first else { return XCTFail("the old row is gone: \(old)") }
        XCTAssertNil(message.signedEntity)
        try await journal.close()
    }

    func testADatabaseFromANewerVersionIsRefused() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        let journal = try Journal.open(path: path)
        try await journal.writer.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        try await journal.close()
        XCTAssertThrowsError(try Journal.open(path: path)) { error in
            XCTAssertEqual((error as? JournalError)?.code, .schemaTooNew, "\(error)")
        }
    }

    /// Work left unfinished in every state, as a crash would leave it.
    private func leaveWorkUnfinished(in journal: Journal, clock: TestClock) async throws -> [String: Int64] {
        var ids: [String: Int64] = [:]
        ids["queued"] = try await journal.createTestOutbound(1).id
        let sending = try await journal.createTestOutbound(2).id
        try await journal.recordBuilt(sending, testBuilt(2))
        try await journal.recordAttempt(sending)
        ids["sending"] = sending
        let retryDue = try await journal.createTestOutbound(3).id
        try await journal.scheduleRetry(retryDue, at: clock.now.addingTimeInterval(-1), reason: "503")
        ids["retryDue"] = retryDue
        let retryLater = try await journal.createTestOutbound(4).id
        try await journal.scheduleRetry(retryLater, at: clock.now.addingTimeInterval(3600), reason: "503")
        ids["retryLater"] = retryLater
        let awaiting = try await journal.createTestOutbound(5).id
        try await journal.recordBuilt(awaiting, testBuilt(5))
        try await journal.recordAttempt(awaiting)
        try await journal.markAwaitingAsyncMDN(awaiting, deadline: clock.now.addingTimeInterval(-1))
        ids["awaitingExpired"] = awaiting
        let delivered = try await journal.createTestOutbound(6).id
        try await journal.recordBuilt(delivered, testBuilt(6))
        try await journal.recordAttempt(delivered)
        try await journal.markDelivered(delivered, mdn: nil)
        ids["delivered"] = delivered
        // Being processed when the agent stops: nothing of it is journaled.
        _ = try newInboundClaim(try await journal.beginTestInbound(1))
        ids["processingLegacy"] = try await journal.insertLegacyProcessingRow(3)
        ids["mdnPending"] = try await journal.receiveTestInbound(2, mdn: testMDN(.async(url: "https://a.example/mdn"))).id
        return ids
    }

    /// What the agent does on start, checked against what was left.
    private func assertResumable(_ journal: Journal, _ ids: [String: Int64], now: Date) async throws {
        let resume = try await journal.outboundToResume(now: now)
        XCTAssertEqual(resume.map(\.id), [ids["queued"], ids["sending"], ids["retryDue"]].compactMap { $0 })
        XCTAssertNil(resume[0].built, "a queued message is rebuilt")
        XCTAssertEqual(resume[1].built, testBuilt(2), "a message cut off while sending is resent byte for byte")
        let due = try await journal.dueRetries(now: now)
        XCTAssertEqual(due.map(\.id), [ids["retryDue"]].compactMap { $0 })
        let expired = try await journal.expiredAsyncMDNWaits(now: now)
        XCTAssertEqual(expired.map(\.id), [ids["awaitingExpired"]].compactMap { $0 })
        let mdns = try await journal.asyncMDNsDue(now: now)
        XCTAssertEqual(mdns.map(\.id), [ids["mdnPending"]].compactMap { $0 })
        let released = try await journal.releaseStaleInbound()
        XCTAssertEqual(released, 1)
        let resend = try newInboundClaim(try await journal.beginTestInbound(1))
        XCTAssertNil(resend.takeover, "a message cut off while processing left no row")
        let legacy = try newInboundClaim(try await journal.beginTestInbound(3))
        XCTAssertEqual(legacy.takeover, ids["processingLegacy"], "an older version's processing row is taken over")
        let delivered = try await journal.outbound(try XCTUnwrap(ids["delivered"]))
        XCTAssertEqual(delivered?.state, .delivered)
    }

    func testCloseWithoutCompletingThenReopenResumesFromTheJournal() async throws {
        let clock = TestClock()
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        let journal = try Journal.open(path: path, clock: clock.journalClock)
        let ids = try await leaveWorkUnfinished(in: journal, clock: clock)
        try await journal.close()

        let reopened = try Journal.open(path: path, clock: clock.journalClock)
        try await assertResumable(reopened, ids, now: clock.now)
        try await reopened.close()
    }

    func testFilesCopiedWhileOpenAsAKillWouldLeaveThemHoldEveryCommittedChange() async throws {
        let clock = TestClock()
        let directory = try makeTemporaryDirectory(self)
        let path = directory.appendingPathComponent("journal.sqlite").path
        let journal = try Journal.open(path: path, clock: clock.journalClock)
        let ids = try await leaveWorkUnfinished(in: journal, clock: clock)

        // The process "dies" now: the database file and its WAL stay as they are, never
        // checkpointed or closed. Opening a copy of them must recover every acknowledged change.
        let crashed = directory.appendingPathComponent("crashed", isDirectory: true)
        try FileManager.default.createDirectory(at: crashed, withIntermediateDirectories: true)
        let wal = URL(fileURLWithPath: path + "-wal")
        XCTAssertTrue(FileManager.default.fileExists(atPath: wal.path))
        let walSize = try FileManager.default.attributesOfItem(atPath: wal.path)[.size] as? Int ?? 0
        XCTAssertGreaterThan(walSize, 0, "committed changes are in the WAL, not yet checkpointed")
        try FileManager.default.copyItem(
            at: URL(fileURLWithPath: path), to: crashed.appendingPathComponent("journal.sqlite"))
        try FileManager.default.copyItem(at: wal, to: crashed.appendingPathComponent("journal.sqlite-wal"))

        let recovered = try Journal.open(
            path: crashed.appendingPathComponent("journal.sqlite").path, clock: clock.journalClock)
        try await assertResumable(recovered, ids, now: clock.now)
        try await recovered.close()
        try await journal.close()
    }
}
