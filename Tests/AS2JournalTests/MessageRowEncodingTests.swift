import Foundation
import GRDB
import XCTest

@testable import AS2Journal

/// The hand-written column encoding of `MessageRow` must store what the Codable decoder reads back.
final class MessageRowEncodingTests: XCTestCase {
    func testEveryColumnRoundTrips() async throws {
        let at = Date(timeIntervalSince1970: 1_790_000_000.5)  // exact in milliseconds, as stored
        var row = MessageRow(
            direction: .outbound, state: "delivered", partner: "acme", as2From: "US", as2To: "ACME",
            messageID: "<m@us>", messageIDKey: "m@us", createdAt: at, updatedAt: at.addingTimeInterval(1))
        row.priorMessageIDs = [PriorMessageID(messageID: "<p@us>", messageIDKey: "p@us", replacedAt: at)]
        row.fileName = "po.edi"
        row.originalPath = "orders/po.edi"
        row.claimedPath = "/spool/acme/.as2/claims/1/po.edi"
        row.payloadSize = 1234
        row.payloadSHA256 = String(repeating: "ab", count: 32)
        row.bodySHA256 = String(repeating: "cd", count: 32)
        row.builtBodyPath = "/state/outbound/1.body"
        row.builtBody = Data([9, 8, 0, 7])
        row.builtHeaders = [HeaderField(name: "AS2-From", value: "US"), HeaderField(name: "Subject", value: "é \"q\"")]
        row.micDigests = ["sha256": "abc=", "sha1": "def="]
        row.dateHeader = "Sun, 29 Nov 2026 05:00:00 +0000"
        row.attempts = 3
        row.nextAttemptAt = at.addingTimeInterval(60)
        row.mdnDeadline = at.addingTimeInterval(600)
        row.lastError = "timeout"
        row.disposition = "automatic-action/MDN-sent-automatically; processed"
        row.mdnMode = .async
        row.mdnRaw = Data([0, 1, 2, 255])
        row.mdnHeaders = [HeaderField(name: "Content-Type", value: "multipart/signed")]
        row.mdnSigned = true
        row.mdnSignatureVerified = false
        row.mdnMICMatched = true
        row.mdnSigner = "ab:cd"
        row.mdnAt = at.addingTimeInterval(2)
        row.mdnAsyncURL = "https://us.example/as2/mdn"
        row.mdnState = .pending
        row.mdnAttempts = 2
        row.mdnNextAttemptAt = at.addingTimeInterval(3)
        row.resultPaths = ["/spool/acme/sent/po.edi", "/spool/acme/sent/po.edi.mdn.json"]
        row.evidencePaths = ["/state/evidence/x"]
        row.evidenceSignedEntity = Data("entity".utf8)
        row.evidenceSignerSHA256 = "ef:01"

        let journal = try Journal.inMemory()
        let full = row
        let stored = try await journal.writer.write { db -> MessageRow? in
            var inserted = full
            try inserted.insert(db)
            return try MessageRow.fetchOne(db, key: inserted.id)
        }
        var expected = row
        expected.id = 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        XCTAssertEqual(
            String(decoding: try encoder.encode(try XCTUnwrap(stored)), as: UTF8.self),
            String(decoding: try encoder.encode(expected), as: UTF8.self))

        // NULLs stay NULL.
        let empty = MessageRow(
            direction: .inbound, state: "processing", partner: "acme", as2From: "ACME", as2To: "US",
            messageID: "<e@acme>", messageIDKey: "e@acme", createdAt: at, updatedAt: at)
        let reread = try await journal.writer.write { db -> MessageRow? in
            var inserted = empty
            try inserted.insert(db)
            return try MessageRow.fetchOne(db, key: inserted.id)
        }
        XCTAssertNil(reread?.priorMessageIDs)
        XCTAssertNil(reread?.mdnMode)
        XCTAssertNil(reread?.evidenceSignedEntity)
        XCTAssertEqual(reread?.attempts, 0)
    }
}
