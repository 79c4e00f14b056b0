import Foundation
import XCTest

@testable import AS2Journal

final class InboundTests: XCTestCase {
    func testNewMessageIsDeliveredWithItsMDNStored() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let id = try newInboundID(try await journal.beginTestInbound())
        let processing = try await journal.inbound(id)
        XCTAssertEqual(processing?.state, .processing)
        XCTAssertEqual(processing?.bodySHA256, sha("b0dy"))

        let document = DeliveredDocument(
            paths: ["/spool/acme/inbox/invoice.edi", "/spool/acme/inbox/invoice.edi.mdn.json"], sha256: sha("doc"),
            size: 4242)
        let mdn = testMDN(.sync)
        let completed = try await journal.completeInbound(
            id, outcome: .delivered(document), mdn: mdn, evidencePaths: ["/var/lib/as2-agent/evidence/1.mdn"])
        XCTAssertEqual(completed.state, .delivered)
        XCTAssertEqual(completed.document, document)
        XCTAssertEqual(completed.mdn, mdn)
        XCTAssertNil(completed.asyncMDN, "a sync MDN has no async delivery state")
        XCTAssertEqual(completed.evidencePaths, ["/var/lib/as2-agent/evidence/1.mdn"])
        let kinds = try await journal.events(for: id).map(\.kind)
        XCTAssertEqual(kinds, [.received, .delivered])
    }

    func testOriginEvidenceIsStoredWithTheRowAndEachSignerCertificateOnce() async throws {
        let journal = try Journal.inMemory()
        let entity = Data("Content-Type: multipart/signed; boundary=b\r\n\r\n--b\r\n…".utf8)
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        var ids: [Int64] = []
        for n in 1...2 {
            let id = try newInboundID(try await journal.beginTestInbound(n))
            let origin = OriginEvidence(signedEntity: entity, signerSHA256: "AB:CD", signerPEM: pem, signerSubject: "CN=acme")
            let completed = try await journal.completeInbound(
                id, outcome: .delivered(DeliveredDocument(paths: ["/in/\(n).edi"], sha256: sha("doc"), size: 1)), mdn: nil, origin: origin)
            XCTAssertEqual(completed.signedEntity, entity)
            XCTAssertEqual(completed.signerCertificateSHA256, "ab:cd")
            ids.append(id)
        }
        let reread = try await journal.inbound(ids[1])
        XCTAssertEqual(reread?.signedEntity, entity, "byte for byte")
        let stored = try await journal.certificate(sha256: "AB:CD")
        XCTAssertEqual(stored, pem)
        let count = try await journal.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM certificate") }
        XCTAssertEqual(count, 1, "one row per signer certificate")
    }

    func testDuplicateOfCompletedMessageReturnsTheStoredMDNBytes() async throws {
        let journal = try Journal.inMemory()
        let id = try newInboundID(try await journal.beginTestInbound())
        let mdn = testMDN(.sync)
        try await journal.completeInbound(
            id, outcome: .delivered(DeliveredDocument(paths: ["/in/a.edi"], sha256: sha("doc"), size: 1)), mdn: mdn)

        let again = try await journal.beginTestInbound()
        guard case .duplicateCompleted(let original) = again else { return XCTFail("got \(again)") }
        XCTAssertEqual(original.id, id)
        XCTAssertEqual(original.mdn?.raw, mdn.raw)
        XCTAssertEqual(original.mdn?.headers, mdn.headers)
        XCTAssertEqual(original.mdn?.delivery, .sync)
        let rows = try await journal.recent(direction: .inbound)
        XCTAssertEqual(rows.count, 1, "a duplicate creates no second row")
        let kinds = try await journal.events(for: id).map(\.kind)
        XCTAssertEqual(kinds, [.received, .delivered, .duplicate])
    }

    func testDuplicateOfRejectedMessageIsCompletedWithDisposition() async throws {
        let journal = try Journal.inMemory()
        let id = try newInboundID(try await journal.beginTestInbound())
        let disposition = "automatic-action/MDN-sent-automatically; processed/error: decryption-failed"
        let rejected = try await journal.completeInbound(
            id, outcome: .rejected(disposition: disposition), mdn: testMDN(.sync))
        XCTAssertEqual(rejected.state, .rejected)
        XCTAssertEqual(rejected.disposition, disposition)
        XCTAssertNil(rejected.document)
        guard case .duplicateCompleted(let original) = try await journal.beginTestInbound() else {
            return XCTFail("expected duplicateCompleted")
        }
        XCTAssertEqual(original.disposition, disposition)
    }

    func testDuplicateWhileProcessingIsInProgress() async throws {
        let journal = try Journal.inMemory()
        let id = try newInboundID(try await journal.beginTestInbound())
        let again = try await journal.beginTestInbound()
        XCTAssertEqual(again, .duplicateInProgress(id: id))
    }

    func testSameKeyWithDifferentBodyIsAConflict() async throws {
        let journal = try Journal.inMemory()
        let id = try newInboundID(try await journal.beginTestInbound(body: "first"))
        let whileProcessing = try await journal.beginTestInbound(body: "second")
        XCTAssertEqual(whileProcessing, .conflict(id: id))
        try await journal.completeInbound(
            id, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)), mdn: nil)
        let afterCompletion = try await journal.beginTestInbound(body: "second")
        XCTAssertEqual(afterCompletion, .conflict(id: id))
        let stored = try await journal.inbound(id)
        XCTAssertEqual(stored?.bodySHA256, sha("first"), "a conflict never replaces the stored digest")
        let events = try await journal.events(for: id)
        XCTAssertEqual(events.map(\.kind), [.received, .conflict, .delivered, .conflict])
    }

    func testKeyIncludesBothAS2IDs() async throws {
        let journal = try Journal.inMemory()
        _ = try newInboundID(try await journal.beginTestInbound())
        let otherSender = try await journal.beginInbound(
            partner: "globex", as2From: "GLOBEX", as2To: "OURCORP", messageID: "<in-1@acme.example>",
            messageIDKey: "in-1@acme.example", bodySHA256: sha("b0dy"))
        _ = try newInboundID(otherSender)
        let otherRecipient = try await journal.beginInbound(
            partner: "acme", as2From: "ACME-AS2", as2To: "OURCORP-TEST", messageID: "<in-1@acme.example>",
            messageIDKey: "in-1@acme.example", bodySHA256: sha("b0dy"))
        _ = try newInboundID(otherRecipient)
    }

    func testConcurrentBeginWithTheSameKeyYieldsExactlyOneNew() async throws {
        let directory = try makeTemporaryDirectory(self)
        let journal = try Journal.open(path: directory.appendingPathComponent("journal.sqlite").path)
        let results = try await withThrowingTaskGroup(of: InboundBegin.self) { group in
            for _ in 0..<32 {
                group.addTask { try await journal.beginTestInbound(5) }
            }
            var results: [InboundBegin] = []
            for try await result in group { results.append(result) }
            return results
        }
        let newIDs = results.compactMap { if case .new(let id) = $0 { id } else { nil } }
        XCTAssertEqual(newIDs.count, 1)
        let id = try XCTUnwrap(newIDs.first)
        XCTAssertEqual(results.filter { $0 == .duplicateInProgress(id: id) }.count, 31)
        try await journal.close()
    }

    func testAsyncMDNIsDueRetriedAndSent() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let id = try newInboundID(try await journal.beginTestInbound())
        let url = "https://as2.acme.example/mdn"
        let completed = try await journal.completeInbound(
            id, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)),
            mdn: testMDN(.async(url: url)))
        XCTAssertEqual(completed.mdn?.delivery, .async(url: url))
        XCTAssertEqual(completed.asyncMDN?.state, .pending)
        XCTAssertEqual(completed.asyncMDN?.nextAttemptAt, clock.now, "a new async MDN is due at once")

        let due = try await journal.asyncMDNsDue(now: clock.now)
        XCTAssertEqual(due.map(\.id), [id])
        XCTAssertEqual(due.first?.mdn?.raw, testMDN(.sync).raw)

        let retryAt = clock.now.addingTimeInterval(300)
        let retry = try await journal.scheduleAsyncMDNRetry(id, at: retryAt, reason: "connection refused")
        XCTAssertEqual(retry.asyncMDN?.state, .pending)
        XCTAssertEqual(retry.asyncMDN?.attempts, 1)
        XCTAssertEqual(retry.asyncMDN?.lastError, "connection refused")
        let notYet = try await journal.asyncMDNsDue(now: clock.now)
        XCTAssertEqual(notYet.map(\.id), [])
        let next = try await journal.nextDueDate()
        XCTAssertEqual(next, retryAt)

        clock.advance(seconds: 300)
        let dueAgain = try await journal.asyncMDNsDue(now: clock.now)
        XCTAssertEqual(dueAgain.map(\.id), [id])
        let sent = try await journal.markAsyncMDNSent(id)
        XCTAssertEqual(sent.asyncMDN?.state, .sent)
        XCTAssertEqual(sent.asyncMDN?.attempts, 2)
        XCTAssertEqual(sent.asyncMDN?.sentAt, clock.now)
        XCTAssertEqual(sent.state, .delivered, "the message state is unchanged by MDN delivery")
        let done = try await journal.asyncMDNsDue(now: clock.now.addingTimeInterval(86_400))
        XCTAssertEqual(done.map(\.id), [])

        let events = try await journal.events(for: id)
        XCTAssertEqual(events.map(\.kind), [.received, .delivered, .mdnRetryScheduled, .mdnSent])
        XCTAssertEqual(events.map(\.state), ["processing", "delivered", "mdn_pending", "mdn_sent"])
    }

    func testAsyncMDNCanFailAndBeRequeuedForADuplicate() async throws {
        let journal = try Journal.inMemory()
        let id = try newInboundID(try await journal.beginTestInbound())
        try await journal.completeInbound(
            id, outcome: .rejected(disposition: "processed/error: authentication-failed"),
            mdn: testMDN(.async(url: "https://a.example/mdn")))
        let failed = try await journal.markAsyncMDNFailed(id, reason: "URL not allowed for partner", attempted: false)
        XCTAssertEqual(failed.asyncMDN?.state, .failed)
        XCTAssertEqual(failed.asyncMDN?.attempts, 0)
        await assertJournalError(.invalidTransition) { try await journal.markAsyncMDNSent(id) }

        guard case .duplicateCompleted(let original) = try await journal.beginTestInbound() else {
            return XCTFail("expected duplicateCompleted")
        }
        XCTAssertEqual(original.asyncMDN?.state, .failed)
        let requeued = try await journal.requeueAsyncMDN(id, url: "https://b.example/mdn")
        XCTAssertEqual(requeued.asyncMDN?.state, .pending)
        XCTAssertEqual(requeued.mdn?.delivery, .async(url: "https://b.example/mdn"))
        let due = try await journal.asyncMDNsDue(now: Date.distantFuture)
        XCTAssertEqual(due.map(\.id), [id])
    }

    func testAsyncMDNOperationsNeedAnAsyncMDN() async throws {
        let journal = try Journal.inMemory()
        let id = try newInboundID(try await journal.beginTestInbound())
        await assertJournalError(.invalidTransition) { try await journal.markAsyncMDNSent(id) }
        try await journal.completeInbound(
            id, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)),
            mdn: testMDN(.sync))
        await assertJournalError(.invalidTransition) { try await journal.markAsyncMDNSent(id) }
        await assertJournalError(.invalidTransition) {
            try await journal.scheduleAsyncMDNRetry(id, at: Date(), reason: "x")
        }
        await assertJournalError(.invalidTransition) { try await journal.requeueAsyncMDN(id) }
        let due = try await journal.asyncMDNsDue(now: Date.distantFuture)
        XCTAssertEqual(due.map(\.id), [])
    }

    func testCompleteInboundOnlyOnce() async throws {
        let journal = try Journal.inMemory()
        let id = try newInboundID(try await journal.beginTestInbound())
        try await journal.completeInbound(id, outcome: .rejected(disposition: "processed/error: x"), mdn: nil)
        await assertJournalError(.invalidTransition) {
            try await journal.completeInbound(
                id, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)), mdn: nil)
        }
        await assertJournalError(.messageNotFound) {
            try await journal.completeInbound(999, outcome: .rejected(disposition: "x"), mdn: nil)
        }
        let outboundID = try await journal.createTestOutbound().id
        await assertJournalError(.messageNotFound) {
            try await journal.completeInbound(outboundID, outcome: .rejected(disposition: "x"), mdn: nil)
        }
    }

    func testStaleProcessingRowIsReleasedAndTakenOverByTheResend() async throws {
        let journal = try Journal.inMemory()
        let stale = try newInboundID(try await journal.beginTestInbound(1, body: "original"))
        let done = try newInboundID(try await journal.beginTestInbound(2))
        try await journal.completeInbound(
            done, outcome: .delivered(DeliveredDocument(paths: ["/in/b"], sha256: sha("b"), size: 1)), mdn: nil)

        let released = try await journal.releaseStaleInbound()
        XCTAssertEqual(released, 1)
        let interrupted = try await journal.inbound(stale)
        XCTAssertEqual(interrupted?.state, .interrupted)
        let untouched = try await journal.inbound(done)
        XCTAssertEqual(untouched?.state, .delivered)
        let releasedAgain = try await journal.releaseStaleInbound()
        XCTAssertEqual(releasedAgain, 0)

        // The partner resends (possibly re-encrypted: another body digest); it is processed again.
        let resend = try await journal.beginTestInbound(1, body: "re-encrypted")
        XCTAssertEqual(resend, .new(id: stale))
        let reprocessing = try await journal.inbound(stale)
        XCTAssertEqual(reprocessing?.state, .processing)
        XCTAssertEqual(reprocessing?.bodySHA256, sha("re-encrypted"))
        let duplicate = try await journal.beginTestInbound(1, body: "re-encrypted")
        XCTAssertEqual(duplicate, .duplicateInProgress(id: stale))
        try await journal.completeInbound(
            stale, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)), mdn: nil)
        let kinds = try await journal.events(for: stale).map(\.kind)
        XCTAssertEqual(kinds, [.received, .interrupted, .reprocessing, .duplicate, .delivered])
    }
}
