import Foundation
import XCTest

@testable import AS2Journal

final class InboundTests: XCTestCase {
    func testNewMessageIsDeliveredWithItsMDNStored() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let claim = try newInboundClaim(try await journal.beginTestInbound())
        let nothingYet = try await journal.recent(direction: .inbound)
        XCTAssertEqual(nothingYet.count, 0, "nothing is journaled before the outcome")
        let statistics = await journal.statistics()
        XCTAssertEqual(statistics.transactions, 0, "beginInbound writes nothing")

        let document = DeliveredDocument(
            paths: ["/spool/acme/inbox/invoice.edi", "/spool/acme/inbox/invoice.edi.mdn.json"], sha256: sha("doc"),
            size: 4242)
        let mdn = testMDN(.sync)
        let completed = try await journal.completeInbound(
            claim, outcome: .delivered(document), mdn: mdn, evidencePaths: ["/var/lib/as2-agent/evidence/1.mdn"])
        let id = completed.id
        XCTAssertEqual(completed.state, .delivered)
        XCTAssertEqual(completed.bodySHA256, sha("b0dy"))
        XCTAssertEqual(completed.createdAt, clock.now)
        let reread = try await journal.inbound(id)
        XCTAssertEqual(reread, completed, "the row reads back as it was returned")
        XCTAssertEqual(completed.document, document)
        XCTAssertEqual(completed.mdn, mdn)
        XCTAssertNil(completed.asyncMDN, "a sync MDN has no async delivery state")
        XCTAssertEqual(completed.evidencePaths, ["/var/lib/as2-agent/evidence/1.mdn"])
        let kinds = try await journal.events(for: id).map(\.kind)
        XCTAssertEqual(kinds, [.received, .delivered])
        let after = await journal.statistics()
        XCTAssertEqual(after.transactions, 1, "one transaction per received message")
        XCTAssertEqual(after.durableTransactions, 1)
    }

    func testOriginEvidenceIsStoredWithTheRowAndEachSignerCertificateOnce() async throws {
        let journal = try Journal.inMemory()
        let entity = Data("Content-Type: multipart/signed; boundary=b\r\n\r\n--b\r\n…".utf8)
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        var ids: [Int64] = []
        for n in 1...2 {
            let claim = try newInboundClaim(try await journal.beginTestInbound(n))
            let origin = OriginEvidence(signedEntity: entity, signerSHA256: "AB:CD", signerPEM: pem, signerSubject: "CN=acme")
            let completed = try await journal.completeInbound(
                claim, outcome: .delivered(DeliveredDocument(paths: ["/in/\(n).edi"], sha256: sha("doc"), size: 1)), mdn: nil, origin: origin)
            XCTAssertEqual(completed.signedEntity, entity)
            XCTAssertEqual(completed.signerCertificateSHA256, "ab:cd")
            ids.append(completed.id)
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
        let mdn = testMDN(.sync)
        let id = try await journal.receiveTestInbound(mdn: mdn).id

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
        let claim = try newInboundClaim(try await journal.beginTestInbound())
        let disposition = "automatic-action/MDN-sent-automatically; processed/error: decryption-failed"
        let rejected = try await journal.completeInbound(
            claim, outcome: .rejected(disposition: disposition), mdn: testMDN(.sync))
        XCTAssertEqual(rejected.state, .rejected)
        XCTAssertEqual(rejected.disposition, disposition)
        XCTAssertNil(rejected.document)
        guard case .duplicateCompleted(let original) = try await journal.beginTestInbound() else {
            return XCTFail("expected duplicateCompleted")
        }
        XCTAssertEqual(original.disposition, disposition)
    }

    func testDuplicateWhileProcessingIsInProgressUntilTheClaimIsAbandoned() async throws {
        let journal = try Journal.inMemory()
        let claim = try newInboundClaim(try await journal.beginTestInbound())
        let again = try await journal.beginTestInbound()
        XCTAssertEqual(again, .duplicateInProgress)
        let otherMessage = try await journal.beginTestInbound(2)
        _ = try newInboundClaim(otherMessage)

        journal.abandonInbound(claim)
        let rows = try await journal.recent(direction: .inbound)
        XCTAssertEqual(rows.count, 0, "an abandoned message leaves nothing behind")
        let resend = try newInboundClaim(try await journal.beginTestInbound())
        XCTAssertNotEqual(resend, claim)
        await assertJournalError(.invalidTransition) {
            try await journal.completeInbound(claim, outcome: .rejected(disposition: "x"), mdn: nil)
        }
        journal.abandonInbound(claim)
        let whileResent = try await journal.beginTestInbound()
        XCTAssertEqual(whileResent, .duplicateInProgress, "a stale abandon leaves the new claim alone")
        let completed = try await journal.completeInbound(resend, outcome: .rejected(disposition: "x"), mdn: nil)
        XCTAssertEqual(completed.state, .rejected)
    }

    func testSameKeyWithDifferentBodyIsAConflict() async throws {
        let journal = try Journal.inMemory()
        let claim = try newInboundClaim(try await journal.beginTestInbound(body: "first"))
        let whileProcessing = try await journal.beginTestInbound(body: "second")
        XCTAssertEqual(whileProcessing, .conflict(id: nil), "nothing stored yet to point at")
        let id = try await journal.completeInbound(
            claim, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)), mdn: nil).id
        let afterCompletion = try await journal.beginTestInbound(body: "second")
        XCTAssertEqual(afterCompletion, .conflict(id: id))
        let stored = try await journal.inbound(id)
        XCTAssertEqual(stored?.bodySHA256, sha("first"), "a conflict never replaces the stored digest")
        let events = try await journal.events(for: id)
        XCTAssertEqual(events.map(\.kind), [.received, .delivered, .conflict])
    }

    func testKeyIncludesBothAS2IDs() async throws {
        let journal = try Journal.inMemory()
        _ = try newInboundClaim(try await journal.beginTestInbound())
        let otherSender = try await journal.beginInbound(
            partner: "globex", as2From: "GLOBEX", as2To: "OURCORP", messageID: "<in-1@acme.example>",
            messageIDKey: "in-1@acme.example", bodySHA256: sha("b0dy"))
        _ = try newInboundClaim(otherSender)
        let otherRecipient = try await journal.beginInbound(
            partner: "acme", as2From: "ACME-AS2", as2To: "OURCORP-TEST", messageID: "<in-1@acme.example>",
            messageIDKey: "in-1@acme.example", bodySHA256: sha("b0dy"))
        _ = try newInboundClaim(otherRecipient)
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
        let claims = results.compactMap { if case .new(let claim) = $0 { claim } else { nil } }
        XCTAssertEqual(claims.count, 1)
        XCTAssertEqual(results.filter { $0 == .duplicateInProgress }.count, 31)
        let claim = try XCTUnwrap(claims.first)
        let id = try await journal.completeInbound(claim, outcome: .rejected(disposition: "x"), mdn: nil).id
        let afterwards = try await withThrowingTaskGroup(of: InboundBegin.self) { group in
            for _ in 0..<8 {
                group.addTask { try await journal.beginTestInbound(5) }
            }
            var results: [InboundBegin] = []
            for try await result in group { results.append(result) }
            return results
        }
        // Each is answered from the stored row, or (while another one's look-up holds the key) told to retry.
        let replayed = afterwards.compactMap { if case .duplicateCompleted(let m) = $0 { m.id } else { nil } }
        XCTAssertGreaterThan(replayed.count, 0)
        XCTAssertEqual(Set(replayed), [id])
        XCTAssertEqual(afterwards.filter { $0 == .duplicateInProgress }.count + replayed.count, 8)
        let sequential = try await journal.beginTestInbound(5)
        guard case .duplicateCompleted(let original) = sequential else { return XCTFail("got \(sequential)") }
        XCTAssertEqual(original.id, id)
        try await journal.close()
    }

    func testAsyncMDNIsDueRetriedAndSent() async throws {
        let clock = TestClock()
        let journal = try Journal.inMemory(clock: clock.journalClock)
        let claim = try newInboundClaim(try await journal.beginTestInbound())
        let url = "https://as2.acme.example/mdn"
        let completed = try await journal.completeInbound(
            claim, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)),
            mdn: testMDN(.async(url: url)))
        XCTAssertEqual(completed.mdn?.delivery, .async(url: url))
        XCTAssertEqual(completed.asyncMDN?.state, .pending)
        XCTAssertEqual(completed.asyncMDN?.nextAttemptAt, clock.now, "a new async MDN is due at once")
        let id = completed.id

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
        let id = try await journal.receiveTestInbound(
            outcome: .rejected(disposition: "processed/error: authentication-failed"),
            mdn: testMDN(.async(url: "https://a.example/mdn"))).id
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
        let rejected = try await journal.receiveTestInbound(1, outcome: .rejected(disposition: "x"))
        await assertJournalError(.invalidTransition) { try await journal.markAsyncMDNSent(rejected.id) }
        let id = try await journal.receiveTestInbound(2, mdn: testMDN(.sync)).id
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
        let claim = try newInboundClaim(try await journal.beginTestInbound())
        try await journal.completeInbound(claim, outcome: .rejected(disposition: "processed/error: x"), mdn: nil)
        await assertJournalError(.invalidTransition) {
            try await journal.completeInbound(
                claim, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)), mdn: nil)
        }
        let rows = try await journal.recent(direction: .inbound)
        XCTAssertEqual(rows.count, 1)
        let stored = try await journal.inbound(rows[0].id)
        XCTAssertEqual(stored?.state, .rejected)
    }

    func testAFailedCompletionReleasesTheClaimAndStoresNothing() async throws {
        let journal = try Journal.inMemory()
        let claim = try newInboundClaim(try await journal.beginTestInbound())
        // A certificate row that cannot be stored (NOT NULL pem) fails the transaction.
        try await journal.write { db in try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON certificate BEGIN SELECT RAISE(ABORT, 'disk full'); END") }
        let origin = OriginEvidence(signedEntity: Data("x".utf8), signerSHA256: "ab", signerPEM: "pem", signerSubject: "CN=a")
        await assertJournalError(.storage) {
            try await journal.completeInbound(claim, outcome: .rejected(disposition: "x"), mdn: nil, origin: origin)
        }
        let rows = try await journal.recent(direction: .inbound)
        XCTAssertEqual(rows.count, 0)
        _ = try newInboundClaim(try await journal.beginTestInbound())
    }

    func testACrashWhileProcessingLeavesNothingAndTheResendIsNew() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        let journal = try Journal.open(path: path)
        _ = try newInboundClaim(try await journal.beginTestInbound())
        try await journal.close()
        let reopened = try Journal.open(path: path)
        let released = try await reopened.releaseStaleInbound()
        XCTAssertEqual(released, 0)
        let claim = try newInboundClaim(try await reopened.beginTestInbound())
        let completed = try await reopened.completeInbound(claim, outcome: .rejected(disposition: "x"), mdn: nil)
        XCTAssertEqual(completed.state, .rejected)
        try await reopened.close()
    }

    func testJSONColumnsAreWrittenAsGRDBsEncoderWritesThem() throws {
        let strings = ["", "/spool/a b/inbox/ü.edi", "quote\" back\\ slash/", "tab\t nl\n cr\r bs\u{8} ff\u{c} nul\u{0} \u{1f} é 🚀"]
        let encoder = MessageRow.databaseJSONEncoder(for: "result_paths")
        XCTAssertEqual(JournalJSON.strings(strings), String(decoding: try encoder.encode(strings), as: UTF8.self))
        XCTAssertEqual(JournalJSON.strings([]), String(decoding: try encoder.encode([String]()), as: UTF8.self))
        let headers = strings.map { HeaderField(name: "X-\($0)", value: $0) }
        XCTAssertEqual(JournalJSON.headers(headers), String(decoding: try encoder.encode(headers), as: UTF8.self))
        XCTAssertEqual(JournalJSON.headers([]), String(decoding: try encoder.encode([HeaderField]()), as: UTF8.self))
    }

    func testStaleProcessingRowIsReleasedAndTakenOverByTheResend() async throws {
        let journal = try Journal.inMemory()
        // Left by an agent version that journaled a row when processing began.
        let stale = try await journal.insertLegacyProcessingRow(1, body: "original")
        let whileLegacy = try await journal.beginTestInbound(1, body: "original")
        XCTAssertEqual(whileLegacy, .duplicateInProgress)
        let done = try await journal.receiveTestInbound(2).id

        let released = try await journal.releaseStaleInbound()
        XCTAssertEqual(released, 1)
        let interrupted = try await journal.inbound(stale)
        XCTAssertEqual(interrupted?.state, .interrupted)
        let untouched = try await journal.inbound(done)
        XCTAssertEqual(untouched?.state, .delivered)
        let releasedAgain = try await journal.releaseStaleInbound()
        XCTAssertEqual(releasedAgain, 0)

        // The partner resends (possibly re-encrypted: another body digest); it is processed again.
        let resend = try newInboundClaim(try await journal.beginTestInbound(1, body: "re-encrypted"))
        let duplicate = try await journal.beginTestInbound(1, body: "re-encrypted")
        XCTAssertEqual(duplicate, .duplicateInProgress)
        let completed = try await journal.completeInbound(
            resend, outcome: .delivered(DeliveredDocument(paths: ["/in/a"], sha256: sha("a"), size: 1)), mdn: nil)
        XCTAssertEqual(completed.id, stale, "the resend completes the interrupted row")
        XCTAssertEqual(completed.bodySHA256, sha("re-encrypted"))
        XCTAssertEqual(completed.state, .delivered)
        let kinds = try await journal.events(for: stale).map(\.kind)
        XCTAssertEqual(kinds, [.received, .duplicate, .interrupted, .reprocessing, .delivered])
        let rows = try await journal.recent(direction: .inbound)
        XCTAssertEqual(rows.count, 2)
    }
}
