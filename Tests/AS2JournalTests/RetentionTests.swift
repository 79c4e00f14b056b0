import Foundation
import XCTest

@testable import AS2Journal

final class RetentionTests: XCTestCase {
    func testPruneDeletesOnlyFinishedHistoryOlderThanTheWindow() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        // Day 0: one delivered, one failed, one still retrying, one inbound delivered.
        let delivered = try await journal.createTestOutbound(1).id
        try await journal.recordBuilt(delivered, testBuilt(1))
        try await journal.recordAttempt(delivered)
        try await journal.markDelivered(delivered, mdn: testEvidence(clock.now))
        let failed = try await journal.createTestOutbound(2).id
        try await journal.markFailed(failed, reason: "x")
        let retrying = try await journal.createTestOutbound(3).id
        try await journal.scheduleRetry(retrying, at: clock.now.addingTimeInterval(86_400 * 500), reason: "down")
        _ = try await journal.receiveTestInbound(1, mdn: testMDN(.sync))
        // Day 200: a recent one.
        clock.advance(days: 200)
        let recent = try await journal.createTestOutbound(4).id
        try await journal.markFailed(recent, reason: "y")

        let nothingYet = try await journal.prune(now: clock.now)
        XCTAssertEqual(nothingYet, PruneResult(messages: 0, events: 0))

        clock.advance(days: 166)  // day 366: the day-0 rows are older than 365 days
        let pruned = try await journal.prune(now: clock.now, historyDays: 365, duplicateDays: 30)
        XCTAssertEqual(pruned.messages, 3)
        XCTAssertEqual(pruned.events, 4 + 2 + 2)
        let left = try await journal.recent().map(\.id)
        XCTAssertEqual(Set(left), [retrying, recent])
        let orphanEvents = try await journal.events(for: delivered)
        XCTAssertEqual(orphanEvents.count, 0, "events go with their message")
        // The duplicate key went with it: the same message now counts as new.
        let again = try await journal.beginTestInbound(1)
        guard case .new = again else { return XCTFail("got \(again)") }
    }

    func testDuplicateKeysOutliveAShortHistoryWindow() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let outbound = try await journal.createTestOutbound().id
        try await journal.markFailed(outbound, reason: "x")
        let inbound = try await journal.receiveTestInbound(mdn: testMDN(.sync)).id

        clock.advance(days: 10)
        let pruned = try await journal.prune(now: clock.now, historyDays: 7, duplicateDays: 30)
        XCTAssertEqual(pruned.messages, 1)
        let left = try await journal.recent().map(\.id)
        XCTAssertEqual(left, [inbound])
        let resend = try await journal.beginTestInbound()
        guard case .duplicateCompleted(let original) = resend else { return XCTFail("got \(resend)") }
        XCTAssertEqual(original.mdn?.raw, testMDN(.sync).raw)

        clock.advance(days: 21)  // day 31
        let later = try await journal.prune(now: clock.now, historyDays: 7, duplicateDays: 30)
        XCTAssertEqual(later.messages, 1)
        let empty = try await journal.recent()
        XCTAssertEqual(empty.count, 0)
    }

    func testPendingAsyncMDNAndUnfinishedInboundAreKept() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let pending = try await journal.receiveTestInbound(1, mdn: testMDN(.async(url: "https://a.example/mdn"))).id
        // Rows an older version left processing: both become interrupted; the second's resend claims it.
        let processing = try await journal.insertLegacyProcessingRow(2)
        let interrupted = try await journal.insertLegacyProcessingRow(3)
        try await journal.releaseStaleInbound()
        let takeover = try newInboundClaim(try await journal.beginTestInbound(2))
        XCTAssertEqual(takeover.takeover, processing)

        clock.advance(days: 400)
        let pruned = try await journal.prune(now: clock.now)
        XCTAssertEqual(pruned.messages, 2, "interrupted rows are finished; the pending async MDN is kept")
        let left = try await journal.recent().map(\.id)
        XCTAssertEqual(left, [pending])
        // The resend that claimed a pruned row completes as a new row.
        let completed = try await journal.completeInbound(
            takeover, outcome: .delivered(DeliveredDocument(paths: ["/in/2"], sha256: sha("a"), size: 1)), mdn: nil)
        XCTAssertNotEqual(completed.id, processing)
        XCTAssertEqual(completed.state, .delivered)
        let gone = try await journal.inbound(interrupted)
        XCTAssertNil(gone)
    }
}
