import Foundation
import Synchronization
import XCTest

@testable import AS2Journal

/// A settable clock, so timestamps and retention can be tested without waiting.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(days: Double = 0, seconds: TimeInterval = 0) {
        current.withLock { $0 = $0.addingTimeInterval(days * 86_400 + seconds) }
    }

    var journalClock: Journal.Clock { { self.now } }
}

/// A temporary directory removed at the end of the test.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("as2-journal-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

extension Journal {
    /// An outbound message with plausible values; `n` makes Message-ID and paths unique.
    @discardableResult
    func createTestOutbound(_ n: Int = 1, partner: String = "acme") async throws -> OutboundMessage {
        try await createOutbound(
            partner: partner, as2From: "OURCORP", as2To: "ACME-AS2", messageID: "<msg-\(n)@ourcorp.example>",
            messageIDKey: "msg-\(n)@ourcorp.example", originalPath: "orders/po-\(n).edi",
            claimedPath: "/spool/\(partner)/.as2/claim-\(n).edi", payloadSize: 1000 + Int64(n),
            payloadSHA256: String(repeating: "ab", count: 32))
    }

    /// A delivered inbound message (begun and completed), with plausible values; returns its row.
    @discardableResult
    func receiveTestInbound(
        _ n: Int = 1, body: String = "b0dy", outcome: InboundOutcome? = nil, mdn: OutgoingMDN? = nil
    ) async throws -> InboundMessage {
        let claim = try newInboundClaim(try await beginTestInbound(n, body: body))
        return try await completeInbound(
            claim, outcome: outcome ?? .delivered(DeliveredDocument(paths: ["/in/\(n)"], sha256: sha("doc"), size: 1)),
            mdn: mdn)
    }

    /// An inbound row left `processing` by an agent version that journaled rows at `beginInbound`
    /// (before `releaseStaleInbound` runs at start); returns its id.
    func insertLegacyProcessingRow(_ n: Int = 1, body: String = "b0dy") async throws -> Int64 {
        try await write { [clock] db in
            var row = MessageRow(
                direction: .inbound, state: InboundState.processing.rawValue, partner: "acme", as2From: "ACME-AS2",
                as2To: "OURCORP", messageID: "<in-\(n)@acme.example>", messageIDKey: "in-\(n)@acme.example",
                bodySHA256: sha(body), createdAt: clock(), updatedAt: clock())
            try Self.save(db, &row, now: clock(), event: .received, detail: "legacy row")
            return try XCTUnwrap(row.id)
        }
    }

    /// An inbound `beginInbound` with plausible values.
    func beginTestInbound(_ n: Int = 1, body: String = "b0dy") async throws -> InboundBegin {
        try await beginInbound(
            partner: "acme", as2From: "ACME-AS2", as2To: "OURCORP", messageID: "<in-\(n)@acme.example>",
            messageIDKey: "in-\(n)@acme.example", bodySHA256: sha(body))
    }
}

/// A recognisable 64-hex-digit "digest" of a label.
func sha(_ label: String) -> String {
    let hex = label.utf8.map { String(format: "%02x", $0) }.joined()
    return String((hex + String(repeating: "0", count: 64)).prefix(64))
}

func testBuilt(_ n: Int = 1) -> BuiltMessage {
    BuiltMessage(
        bodyPath: "/spool/acme/.as2/body-\(n).bin",
        headers: [
            HeaderField(name: "Message-ID", value: "<msg-\(n)@ourcorp.example>"),
            HeaderField(name: "Content-Type", value: "application/pkcs7-mime; smime-type=enveloped-data"),
            HeaderField(name: "Disposition-Notification-To", value: "as2@ourcorp.example"),
        ],
        micDigests: ["sha256": "q83vEjRWeJA=", "sha1": "3q2+7w=="], dateHeader: "Tue, 15 Jan 2027 08:00:00 GMT")
}

func testEvidence(_ at: Date, disposition: String = "automatic-action/MDN-sent-automatically; processed")
    -> MDNEvidence
{
    MDNEvidence(
        raw: Data("--b\r\nContent-Type: message/disposition-notification\r\n\r\n\u{0}\u{1}binary".utf8),
        headers: [HeaderField(name: "Content-Type", value: "multipart/signed; boundary=b")], mode: .sync,
        disposition: disposition, signed: true, signatureVerified: true, micMatched: true,
        signerCertificateSHA256: sha("cert"), receivedAt: at)
}

func testMDN(_ delivery: MDNDelivery) -> OutgoingMDN {
    OutgoingMDN(
        raw: Data([0x2d, 0x2d, 0x00, 0xff, 0x0d, 0x0a] + Array("receipt".utf8)),
        headers: [
            HeaderField(name: "Content-Type", value: "multipart/signed; boundary=\"x\""),
            HeaderField(name: "AS2-From", value: "OURCORP"),
        ], delivery: delivery)
}

/// Asserts that `body` throws a `JournalError` with `code`.
func assertJournalError<T>(
    _ code: JournalError.Code, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        XCTFail("expected JournalError \(code)", file: file, line: line)
    } catch let error as JournalError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
    } catch {
        XCTFail("expected JournalError \(code), got \(error)", file: file, line: line)
    }
}

/// The id of a `.new` answer; fails the test otherwise.
func newInboundClaim(_ begin: InboundBegin, file: StaticString = #filePath, line: UInt = #line) throws -> InboundClaim {
    guard case .new(let claim) = begin else {
        XCTFail("expected .new, got \(begin)", file: file, line: line)
        throw JournalError.corruptRow(nil, "unexpected answer \(begin)")
    }
    return claim
}
