import Foundation
import GRDB
import XCTest

@testable import AS2Journal

/// Migration v3: the built body of a small outbound message lives in its row.
final class BuiltBodyTests: XCTestCase {
    private func builtInJournal(_ n: Int, _ body: [UInt8]) -> BuiltMessage {
        var built = testBuilt(n)
        built.body = body
        return built
    }

    func testBodyIsReadBackForARetryAfterARestartAndDroppedOnceFinal() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        let body = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let first = try Journal.open(path: path)
        let message = try await first.createOutboundSending(
            partner: "acme", as2From: "OURCORP", as2To: "ACME-AS2", messageID: "<msg-1@ourcorp.example>",
            messageIDKey: "msg-1@ourcorp.example", originalPath: "po-1.edi", claimedPath: "/spool/acme/.as2/claims/1~po-1.edi",
            payloadSize: 4_000, payloadSHA256: String(repeating: "ab", count: 32), built: builtInJournal(1, body))
        XCTAssertEqual(message.built?.body, body)
        let retryAt = Date().addingTimeInterval(-1)
        _ = try await first.scheduleRetry(message.id, at: retryAt, reason: "HTTP 503")
        let events = try await first.events(for: message.id)
        XCTAssertTrue(events.contains { $0.detail?.hasPrefix("body in the journal (5000 bytes)") == true })
        try await first.close()

        // After a restart the retry sends the very same bytes, read from the journal.
        let reopened = try Journal.open(path: path)
        let due = try await reopened.dueRetries(now: Date())
        XCTAssertEqual(due.map(\.id), [message.id])
        XCTAssertEqual(due.first?.built?.body, body)
        XCTAssertEqual(due.first?.built?.bodyPath, testBuilt(1).bodyPath)
        let attempt = try await reopened.recordAttempt(message.id)
        XCTAssertEqual(attempt.built?.body, body)
        let delivered = try await reopened.markDelivered(message.id, mdn: nil)
        XCTAssertNil(delivered.built?.body, "never sent again: the journal does not keep it")
        XCTAssertEqual(delivered.built?.headers, testBuilt(1).headers)
        try await reopened.close()
    }

    func testRowsBuiltBeforeTheMigrationKeepTheirBodyFile() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("journal.sqlite").path
        // A journal of the previous version, with a built message in it.
        let queue = try DatabaseQueue(path: path)
        try JournalSchema.migrator.migrate(queue, upTo: "v2: origin evidence")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO message (direction, state, partner, as2_from, as2_to, message_id, message_id_key,
                      original_path, claimed_path, payload_size, payload_sha256, built_body_path, built_headers,
                      mic_digests, date_header, attempts, mdn_attempts, created_at, updated_at)
                    VALUES ('outbound', 'retry_scheduled', 'acme', 'OURCORP', 'ACME-AS2', '<old@ourcorp.example>',
                      'old@ourcorp.example', 'po.edi', '/spool/acme/.as2/claims/1/po.edi', 3, ?, '/state/outbound/7.body',
                      '[]', '{}', 'Tue, 15 Jan 2027 08:00:00 GMT', 1, 0, '2027-01-15 08:00:00.000', '2027-01-15 08:00:00.000')
                    """, arguments: [String(repeating: "ab", count: 32)])
        }
        try queue.close()
        let journal = try Journal.open(path: path)
        let row = try await journal.findOutbound(claimedPath: "/spool/acme/.as2/claims/1/po.edi")
        XCTAssertEqual(row?.built?.bodyPath, "/state/outbound/7.body")
        XCTAssertNil(row?.built?.body, "the body is still in its file")
        try await journal.close()
    }
}
