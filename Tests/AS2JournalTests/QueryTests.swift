import Foundation
import XCTest

@testable import AS2Journal

final class QueryTests: XCTestCase {
    /// Three outbound (two partners, one failed) and one inbound delivered message.
    private func populated() async throws -> (Journal, outbound: [Int64], inbound: Int64) {
        let journal = try Journal.inMemory()
        let a = try await journal.createTestOutbound(1).id
        let b = try await journal.createTestOutbound(2, partner: "globex").id
        let c = try await journal.createTestOutbound(3).id
        try await journal.markFailed(c, reason: "certificate expired")
        let inbound = try await journal.receiveTestInbound(
            outcome: .delivered(
                DeliveredDocument(paths: ["/spool/acme/inbox/INVOICE-77.xml"], sha256: sha("INV"), size: 9)),
            mdn: testMDN(.async(url: "https://a.example/mdn"))).id
        return (journal, [a, b, c], inbound)
    }

    func testRecentListsNewestFirstWithLimit() async throws {
        let (journal, outbound, inbound) = try await populated()
        let all = try await journal.recent()
        XCTAssertEqual(all.map(\.id), [inbound, outbound[2], outbound[1], outbound[0]])
        let two = try await journal.recent(limit: 2)
        XCTAssertEqual(two.map(\.id), [inbound, outbound[2]])
    }

    func testRecentFilters() async throws {
        let (journal, outbound, inbound) = try await populated()
        let globex = try await journal.recent(partner: "globex")
        XCTAssertEqual(globex.map(\.id), [outbound[1]])
        let failed = try await journal.recent(state: "failed")
        XCTAssertEqual(failed.map(\.id), [outbound[2]])
        let pendingMDN = try await journal.recent(state: "mdn_pending")
        XCTAssertEqual(pendingMDN.map(\.id), [inbound])
        let delivered = try await journal.recent(state: "delivered")
        XCTAssertEqual(delivered.map(\.id), [inbound])
        let inboundOnly = try await journal.recent(direction: .inbound)
        XCTAssertEqual(inboundOnly.map(\.direction), [.inbound])
        let queuedOutbound = try await journal.recent(partner: "acme", state: "queued", direction: .outbound)
        XCTAssertEqual(queuedOutbound.map(\.id), [outbound[0]])
        let byName = try await journal.recent(filename: "po-2")
        XCTAssertEqual(byName.map(\.id), [outbound[1]])
        let byFolder = try await journal.recent(filename: "orders/")
        XCTAssertEqual(byFolder.count, 3)
        let likeIsNotAWildcard = try await journal.recent(filename: "%")
        XCTAssertEqual(likeIsNotAWildcard.count, 0)
        let inboxName = try await journal.recent(filename: "INVOICE-77")
        XCTAssertEqual(inboxName.map(\.id), [inbound])
        let bySHA = try await journal.recent(sha256: sha("INV").uppercased())
        XCTAssertEqual(bySHA.map(\.id), [inbound])
        let outboundSHA = try await journal.recent(sha256: String(repeating: "AB", count: 32))
        XCTAssertEqual(outboundSHA.count, 3)
    }

    func testFindByJournalIDOrMessageID() async throws {
        let (journal, outbound, inbound) = try await populated()
        let byID = try await journal.find(idOrMessageID: String(outbound[1]))
        XCTAssertEqual(byID.map(\.id), [outbound[1]])
        let withBrackets = try await journal.find(idOrMessageID: "<msg-1@ourcorp.example>")
        XCTAssertEqual(withBrackets.map(\.id), [outbound[0]])
        let withoutBrackets = try await journal.find(idOrMessageID: " msg-1@ourcorp.example ")
        XCTAssertEqual(withoutBrackets.map(\.id), [outbound[0]])
        let received = try await journal.find(idOrMessageID: "in-1@acme.example")
        guard case .inbound(let message) = received.first else { return XCTFail("expected inbound") }
        XCTAssertEqual(message.id, inbound)
        XCTAssertEqual(message.document?.paths, ["/spool/acme/inbox/INVOICE-77.xml"])
        let none = try await journal.find(idOrMessageID: "nope@nowhere")
        XCTAssertEqual(none.count, 0)
    }

    func testEventsAreTheTimelineInOrder() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let id = try await journal.createTestOutbound().id
        clock.advance(seconds: 1)
        try await journal.recordBuilt(id, testBuilt())
        clock.advance(seconds: 1)
        try await journal.recordAttempt(id)
        clock.advance(seconds: 1)
        try await journal.scheduleRetry(id, at: clock.now.addingTimeInterval(60), reason: "HTTP 502")
        clock.advance(seconds: 60)
        try await journal.recordAttempt(id)
        try await journal.markDelivered(id, mdn: testEvidence(clock.now))

        let events = try await journal.events(for: id)
        XCTAssertEqual(events.map(\.kind), [.created, .built, .attempt, .retryScheduled, .attempt, .delivered])
        XCTAssertEqual(events.map(\.at), events.map(\.at).sorted())
        XCTAssertEqual(events.map(\.messageRowID), Array(repeating: id, count: 6))
        XCTAssertEqual(events[2].detail, "attempt 1")
        XCTAssertEqual(events[4].detail, "attempt 2")
        XCTAssertTrue(events[3].detail?.hasPrefix("HTTP 502; next attempt ") ?? false, events[3].detail ?? "")
        let other = try await journal.events(for: id + 1)
        XCTAssertEqual(other.count, 0)
    }

    func testStateNamesCoverEveryState() {
        XCTAssertEqual(
            Set(JournalMessage.stateNames),
            Set(
                [
                    "queued", "sending", "awaiting_mdn", "retry_scheduled", "delivered", "delivered_with_warning",
                    "failed", "processing", "interrupted", "rejected", "mdn_pending", "mdn_sent", "mdn_failed",
                ]))
        XCTAssertEqual(JournalMessage.stateNames.count, Set(JournalMessage.stateNames).count)
    }
}
