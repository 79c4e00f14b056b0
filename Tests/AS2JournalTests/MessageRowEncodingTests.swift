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
            try inserted.insertCached(db)
            return try MessageRow.fetchOne(db, key: inserted.id)
        }
        var expected = row
        expected.id = 1
        XCTAssertEqual(try Self.canonical(try XCTUnwrap(stored)), try Self.canonical(expected))

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

    /// Every field of a row as sorted JSON, to compare two rows whole.
    private static func canonical(_ row: MessageRow) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return String(decoding: try encoder.encode(row), as: UTF8.self)
    }

    /// A row the agent did not write (an unknown direction, text where a number belongs) is an
    /// error when read, never a crash.
    func testForeignRowsThrowWhenRead() async throws {
        let journal = try Journal.inMemory()
        for (direction, attempts) in [("sideways", "0"), ("outbound", "'many'")] {
            let id = try await journal.writer.write { db -> Int64 in
                try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                try db.execute(
                    sql: """
                        INSERT INTO message (direction, state, partner, as2_from, as2_to, message_id, message_id_key, attempts, created_at, updated_at) \
                        VALUES (?, 'queued', 'acme', 'US', 'ACME', '<f@us>', ?, \(attempts), '2026-11-29 10:00:00.000', '2026-11-29 10:00:00.000')
                        """, arguments: [direction, "f@us-\(direction)"])
                return db.lastInsertedRowID
            }
            let error = await Self.error { _ = try await journal.writer.read { db in try MessageRow.fetchOne(db, key: id) } }
            XCTAssertNotNil(error, "a row with direction \(direction) and attempts \(attempts) was read without an error")
        }
    }

    private static func error(_ body: () async throws -> Void) async -> (any Error)? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    /// The codec list names every column of the table once: a column missing from it would never
    /// be written by an insert or an update.
    func testTheColumnListCoversTheTable() async throws {
        let journal = try Journal.inMemory()
        let tableColumns = try await journal.writer.read { db in try db.columns(in: "message").map(\.name) }
        let names = MessageRow.columnCodecs.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "a column is listed twice")
        XCTAssertEqual(names.sorted(), tableColumns.sorted())  // migrations append columns at the end
    }

    /// `update(_:from:)` writes exactly the changed columns: the row read back equals the changed
    /// row, and a column changed behind its back (not in the diff) is left as it is.
    func testUpdateWritesTheChangedColumnsOnly() async throws {
        let at = Date(timeIntervalSince1970: 1_790_000_000.5)
        var original = MessageRow(
            direction: .outbound, state: "sending", partner: "acme", as2From: "US", as2To: "ACME",
            messageID: "<u@us>", messageIDKey: "u@us", createdAt: at, updatedAt: at)
        original.micDigests = ["sha256": "abc="]
        original.builtBody = Data([1, 2, 3])
        original.attempts = 1
        let journal = try Journal.inMemory()
        let template = original
        let (written, reread) = try await journal.writer.write { db -> (MessageRow, MessageRow?) in
            var old = template
            try old.insert(db)
            // Changed by someone else since `old` was read; the diff does not touch it.
            try db.execute(sql: "UPDATE message SET last_error = 'kept' WHERE id = ?", arguments: [old.id])
            var row = old
            row.state = "delivered"
            row.builtBody = nil
            row.resultPaths = ["/spool/acme/sent/a \"b\".edi"]
            row.mdnHeaders = [HeaderField(name: "Subject", value: "é/ü")]
            row.mdnSigned = true
            row.updatedAt = at.addingTimeInterval(5)
            try row.update(db, from: old)
            return (row, try MessageRow.fetchOne(db, key: row.id))
        }
        var expected = written
        expected.lastError = "kept"
        XCTAssertEqual(try Self.canonical(try XCTUnwrap(reread)), try Self.canonical(expected))

        // A row that is gone is an error, not a silent no-op.
        await XCTAssertThrowsErrorAsync(
            try await journal.writer.write { db in
                var ghost = template
                ghost.id = 999
                var changed = ghost
                changed.state = "failed"
                try changed.update(db, from: ghost)
            })
    }
}

private func XCTAssertThrowsErrorAsync<T>(_ body: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async {
    do {
        _ = try await body()
        XCTFail("no error was thrown", file: file, line: line)
    } catch {}
}
