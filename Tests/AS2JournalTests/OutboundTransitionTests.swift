import Foundation
import XCTest

@testable import AS2Journal

final class OutboundTransitionTests: XCTestCase {
    func testCreateOutboundStoresClaimAsQueued() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let message = try await journal.createTestOutbound(7)

        XCTAssertEqual(message.state, .queued)
        XCTAssertEqual(message.partner, "acme")
        XCTAssertEqual(message.as2From, "OURCORP")
        XCTAssertEqual(message.as2To, "ACME-AS2")
        XCTAssertEqual(message.messageID, "<msg-7@ourcorp.example>")
        XCTAssertEqual(message.messageIDKey, "msg-7@ourcorp.example")
        XCTAssertEqual(message.originalPath, "orders/po-7.edi")
        XCTAssertEqual(message.claimedPath, "/spool/acme/.as2/claim-7.edi")
        XCTAssertEqual(message.payloadSize, 1007)
        XCTAssertEqual(message.payloadSHA256, String(repeating: "ab", count: 32))
        XCTAssertNil(message.built)
        XCTAssertEqual(message.attempts, 0)
        XCTAssertEqual(message.createdAt, clock.now)
        let stored = try await journal.outbound(message.id)
        XCTAssertEqual(stored, message)
        let events = try await journal.events(for: message.id)
        XCTAssertEqual(events.map(\.kind), [.created])
        XCTAssertEqual(events.first?.state, "queued")
    }

    func testCreateOutboundSendingRecordsClaimBuildAndFirstAttemptAtOnce() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let before = await journal.statistics().durableTransactions
        let message = try await journal.createOutboundSending(
            partner: "acme", as2From: "OURCORP", as2To: "ACME-AS2", messageID: "<msg-3@ourcorp.example>",
            messageIDKey: "msg-3@ourcorp.example", originalPath: "orders/po-3.edi", claimedPath: "/spool/acme/.as2/claim-3.edi",
            payloadSize: 1003, payloadSHA256: String(repeating: "AB", count: 32), built: testBuilt(3))

        XCTAssertEqual(message.state, .sending)
        XCTAssertEqual(message.attempts, 1)
        XCTAssertEqual(message.built, testBuilt(3))
        XCTAssertEqual(message.payloadSHA256, String(repeating: "ab", count: 32))
        let stored = try await journal.outbound(message.id)
        XCTAssertEqual(stored, message)
        let events = try await journal.events(for: message.id)
        XCTAssertEqual(events.map(\.kind), [.created, .built, .attempt])
        XCTAssertEqual(events.map(\.state), ["queued", "queued", "sending"])
        let after = await journal.statistics().durableTransactions
        XCTAssertEqual(after - before, 1, "one durable commit before the first POST")

        // It resumes like a message whose attempt was recorded separately: resent with the same bytes.
        let resumable = try await journal.outboundToResume(now: clock.now)
        XCTAssertEqual(resumable.map(\.id), [message.id])
        let delivered = try await journal.markDelivered(message.id, mdn: testEvidence(clock.now))
        XCTAssertEqual(delivered.state, .delivered)
    }

    func testSyncMDNPathEndsDeliveredWithEvidenceAndTimeline() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let id = try await journal.createTestOutbound().id

        let built = try await journal.recordBuilt(id, testBuilt())
        XCTAssertEqual(built.state, .queued)
        XCTAssertEqual(built.built, testBuilt())

        let sending = try await journal.recordAttempt(id)
        XCTAssertEqual(sending.state, .sending)
        XCTAssertEqual(sending.attempts, 1)

        clock.advance(seconds: 2)
        let evidence = testEvidence(clock.now)
        let delivered = try await journal.markDelivered(id, mdn: evidence, resultPaths: ["/spool/acme/sent/po-1.edi"])
        XCTAssertEqual(delivered.state, .delivered)
        XCTAssertEqual(delivered.mdn, evidence)
        XCTAssertEqual(delivered.resultPaths, ["/spool/acme/sent/po-1.edi"])
        XCTAssertNil(delivered.lastError)
        XCTAssertEqual(delivered.updatedAt, clock.now)

        let reread = try await journal.outbound(id)
        XCTAssertEqual(reread?.mdn?.raw, evidence.raw, "raw MDN bytes are stored byte for byte")
        XCTAssertEqual(reread?.built?.micDigests["sha256"], "q83vEjRWeJA=")

        let events = try await journal.events(for: id)
        XCTAssertEqual(events.map(\.kind), [.created, .built, .attempt, .delivered])
        XCTAssertEqual(events.map(\.state), ["queued", "queued", "sending", "delivered"])
        XCTAssertEqual(events.last?.at, clock.now)
    }

    func testNoMDNRequestedDeliversWithoutEvidence() async throws {
        let journal = try Journal.inMemory()
        let id = try await journal.createTestOutbound().id
        try await journal.recordBuilt(id, testBuilt())
        try await journal.recordAttempt(id)
        let delivered = try await journal.markDelivered(id, mdn: nil)
        XCTAssertEqual(delivered.state, .delivered)
        XCTAssertNil(delivered.mdn)
    }

    func testAsyncMDNPathIsFoundByMessageIDKeyAndDeliveredWithWarning() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let id = try await journal.createTestOutbound(3).id
        try await journal.recordBuilt(id, testBuilt(3))
        try await journal.recordAttempt(id)
        let deadline = clock.now.addingTimeInterval(4560)
        let awaiting = try await journal.markAwaitingAsyncMDN(id, deadline: deadline)
        XCTAssertEqual(awaiting.state, .awaitingMDN)
        XCTAssertEqual(awaiting.mdnDeadline, deadline)

        let found = try await journal.findOutboundAwaitingMDN(messageIDKey: "msg-3@ourcorp.example")
        XCTAssertEqual(found?.id, id)
        let unknown = try await journal.findOutboundAwaitingMDN(messageIDKey: "other@ourcorp.example")
        XCTAssertNil(unknown)

        var evidence = testEvidence(clock.now)
        evidence.mode = .async
        evidence.signed = false
        evidence.signatureVerified = false
        evidence.micMatched = nil
        let delivered = try await journal.markDelivered(id, mdn: evidence, warning: "unsigned MDN (no NRR)")
        XCTAssertEqual(delivered.state, .deliveredWithWarning)
        XCTAssertEqual(delivered.lastError, "unsigned MDN (no NRR)")
        XCTAssertNil(delivered.mdnDeadline)
        XCTAssertEqual(delivered.mdn, evidence)

        let afterwards = try await journal.findOutboundAwaitingMDN(messageIDKey: "msg-3@ourcorp.example")
        XCTAssertNil(afterwards, "a second MDN for a delivered message finds nothing")
        let kinds = try await journal.events(for: id).map(\.kind)
        XCTAssertEqual(kinds, [.created, .built, .attempt, .awaitingMDN, .deliveredWithWarning])
    }

    func testRetryPathCountsAttemptsAndBecomesDue() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let id = try await journal.createTestOutbound().id
        try await journal.recordBuilt(id, testBuilt())
        try await journal.recordAttempt(id)
        let retryAt = clock.now.addingTimeInterval(60)
        let scheduled = try await journal.scheduleRetry(id, at: retryAt, reason: "HTTP 503")
        XCTAssertEqual(scheduled.state, .retryScheduled)
        XCTAssertEqual(scheduled.nextAttemptAt, retryAt)
        XCTAssertEqual(scheduled.lastError, "HTTP 503")

        let early = try await journal.dueRetries(now: retryAt.addingTimeInterval(-1))
        XCTAssertEqual(early.map(\.id), [])
        let due = try await journal.dueRetries(now: retryAt)
        XCTAssertEqual(due.map(\.id), [id])
        let next = try await journal.nextDueDate()
        XCTAssertEqual(next, retryAt)

        let second = try await journal.recordAttempt(id)
        XCTAssertEqual(second.attempts, 2)
        XCTAssertNil(second.nextAttemptAt)
        XCTAssertEqual(second.built, testBuilt(), "a retry resends the same built bytes")
        try await journal.markDelivered(id, mdn: testEvidence(clock.now))
        let none = try await journal.dueRetries(now: retryAt.addingTimeInterval(3600))
        XCTAssertEqual(none.map(\.id), [])
        let nothingDue = try await journal.nextDueDate()
        XCTAssertNil(nothingDue)
    }

    func testMarkFailedKeepsReasonAndErrorMDN() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let id = try await journal.createTestOutbound().id
        try await journal.recordBuilt(id, testBuilt())
        try await journal.recordAttempt(id)
        let evidence = testEvidence(clock.now, disposition: "automatic-action/MDN-sent-automatically; processed/error: decryption-failed")
        let failed = try await journal.markFailed(
            id, reason: "partner reported decryption-failed", mdn: evidence,
            resultPaths: ["/spool/acme/failed/po-1.edi", "/spool/acme/failed/po-1.edi.error.json"])
        XCTAssertEqual(failed.state, .failed)
        XCTAssertEqual(failed.lastError, "partner reported decryption-failed")
        XCTAssertEqual(failed.mdn?.disposition, evidence.disposition)
        XCTAssertEqual(failed.resultPaths.count, 2)
        let last = try await journal.events(for: id).last
        XCTAssertEqual(last?.kind, .failed)
        XCTAssertEqual(last?.detail, "partner reported decryption-failed")
    }

    func testQueuedMessageCanFailBeforeBeingBuilt() async throws {
        let journal = try Journal.inMemory()
        let id = try await journal.createTestOutbound().id
        let failed = try await journal.markFailed(id, reason: "encryption certificate expired")
        XCTAssertEqual(failed.state, .failed)
    }

    func testExpiredAsyncMDNWaitsAreListedAfterTheirDeadline() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        var ids: [Int64] = []
        for n in 1...3 {
            let id = try await journal.createTestOutbound(n).id
            try await journal.recordBuilt(id, testBuilt(n))
            try await journal.recordAttempt(id)
            try await journal.markAwaitingAsyncMDN(id, deadline: clock.now.addingTimeInterval(Double(n) * 100))
            ids.append(id)
        }
        let expired = try await journal.expiredAsyncMDNWaits(now: clock.now.addingTimeInterval(250))
        XCTAssertEqual(expired.map(\.id), [ids[0], ids[1]])
        let next = try await journal.nextDueDate()
        XCTAssertEqual(next, clock.now.addingTimeInterval(100))

        // R-RS-4: an async MDN timeout may lead to a resend.
        let retried = try await journal.recordAttempt(ids[0])
        XCTAssertEqual(retried.state, .sending)
        XCTAssertNil(retried.mdnDeadline)
        XCTAssertEqual(retried.attempts, 2)
    }

    func testResendWithNewMessageIDRecordsPriorIDAndStillMatchesLateMDN() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let id = try await journal.createTestOutbound(1).id
        try await journal.recordBuilt(id, testBuilt(1))
        try await journal.recordAttempt(id)
        try await journal.scheduleRetry(id, at: clock.now, reason: "timeout")

        var rebuilt = testBuilt(2)
        rebuilt.micDigests = testBuilt(1).micDigests
        let resent = try await journal.recordResendWithNewMessageID(
            id, messageID: "<msg-1b@ourcorp.example>", messageIDKey: "msg-1b@ourcorp.example", built: rebuilt)
        XCTAssertEqual(resent.messageID, "<msg-1b@ourcorp.example>")
        XCTAssertEqual(resent.built, rebuilt)
        XCTAssertEqual(
            resent.priorMessageIDs,
            [PriorMessageID(messageID: "<msg-1@ourcorp.example>", messageIDKey: "msg-1@ourcorp.example", replacedAt: clock.now)])
        XCTAssertEqual(resent.state, .retryScheduled)

        let byNew = try await journal.findOutboundAwaitingMDN(messageIDKey: "msg-1b@ourcorp.example")
        XCTAssertEqual(byNew?.id, id)
        let byOld = try await journal.findOutboundAwaitingMDN(messageIDKey: "msg-1@ourcorp.example")
        XCTAssertEqual(byOld?.id, id, "a late MDN for the replaced Message-ID still finds the message")
        let found = try await journal.find(idOrMessageID: "msg-1@ourcorp.example")
        XCTAssertEqual(found.map(\.id), [id])
        let event = try await journal.events(for: id).last
        XCTAssertEqual(event?.kind, .messageIDReplaced)
    }

    func testTransitionsOutOfOrderAreRefused() async throws {
        let journal = try Journal.inMemory()
        let id = try await journal.createTestOutbound().id

        await assertJournalError(.invalidTransition) { try await journal.recordAttempt(id) }  // not built yet
        await assertJournalError(.invalidTransition) { try await journal.markDelivered(id, mdn: nil) }
        await assertJournalError(.invalidTransition) {
            try await journal.markAwaitingAsyncMDN(id, deadline: Date())
        }
        try await journal.recordBuilt(id, testBuilt())
        await assertJournalError(.invalidTransition) { try await journal.recordBuilt(id, testBuilt(9)) }
        try await journal.recordAttempt(id)
        await assertJournalError(.invalidTransition) { try await journal.recordBuilt(id, testBuilt(9)) }
        try await journal.markDelivered(id, mdn: nil)

        // A finished message accepts nothing more.
        await assertJournalError(.invalidTransition) { try await journal.recordAttempt(id) }
        await assertJournalError(.invalidTransition) { try await journal.markDelivered(id, mdn: nil) }
        await assertJournalError(.invalidTransition) { try await journal.markFailed(id, reason: "x") }
        await assertJournalError(.invalidTransition) {
            try await journal.scheduleRetry(id, at: Date(), reason: "x")
        }
        await assertJournalError(.invalidTransition) {
            try await journal.recordResendWithNewMessageID(id, messageID: "<n@x>", messageIDKey: "n@x", built: testBuilt())
        }

        // Refused operations leave neither a state change nor an event.
        let message = try await journal.outbound(id)
        XCTAssertEqual(message?.state, .delivered)
        XCTAssertEqual(message?.built, testBuilt())
        let kinds = try await journal.events(for: id).map(\.kind)
        XCTAssertEqual(kinds, [.created, .built, .attempt, .delivered])
    }

    func testUnknownOrInboundIDIsNotFound() async throws {
        let journal = try Journal.inMemory()
        await assertJournalError(.messageNotFound) { try await journal.recordAttempt(42) }
        let inboundID = try await journal.receiveTestInbound().id
        await assertJournalError(.messageNotFound) { try await journal.markFailed(inboundID, reason: "x") }
        let asOutbound = try await journal.outbound(inboundID)
        XCTAssertNil(asOutbound)
    }

    func testOutboundMessageIDIsUnique() async throws {
        let journal = try Journal.inMemory()
        try await journal.createTestOutbound(1)
        await assertJournalError(.storage) { try await journal.createTestOutbound(1) }
        let all = try await journal.recent()
        XCTAssertEqual(all.count, 1)
    }
}
