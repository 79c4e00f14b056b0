import AS2Protocol
import AS2Spool
import Foundation
import XCTest

/// GLOBEX as a running agent; the test plays ACME with hand-built requests on raw connections:
/// duplicates, conflicts, unknown partners, temporary failures on our side, admin endpoints.
final class HTTPInboundTests: HTTPReceiverTestCase {
    func testADocumentOfExactlyMaxMessageSizeIsAccepted() throws {
        // max_message_size = 4MB is the document's limit; the signed, encrypted body is larger.
        let document = payload(4_000_000)
        let request = try factory.request(document, messageID: HTTPMessageFactory.messageID("at-limit"))
        XCTAssertGreaterThan(request.count, 4_000_000)
        let response = try post(request)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(inboxDocuments.count, 1)
    }

    func testDuplicateAfterSuccessReplaysTheSameMDNBytesAndDeliversOnce() throws {
        let id = HTTPMessageFactory.messageID("dup")
        let request = try factory.request(payload(5000), messageID: id)
        let first = try post(request)
        XCTAssertEqual(first.status, 200)
        XCTAssertTrue(first.text.contains("processed"), first.text)
        XCTAssertEqual(inboxDocuments, ["doc.bin"], "the document is on disk when the positive receipt leaves")
        XCTAssertNotNil(globex.sidecar("acme", "inbox", "doc.bin"))
        let second = try post(request)
        XCTAssertEqual(second.status, 200)
        XCTAssertTrue(second.body == first.body, "a resend gets the same receipt bytes (R-DUP-2)")
        XCTAssertEqual(second.header("Content-Type"), first.header("Content-Type"))
        XCTAssertEqual(inboxDocuments, ["doc.bin"])
        XCTAssertTrue(globex.log.contains("duplicate of a completed message"))
    }

    func testDuplicateStillInProgressGets503() throws {
        // Two copies on two connections: the second arrives while the first is being unpacked.
        var statuses: [Int] = []
        for attempt in 0..<6 where !statuses.contains(503) {
            let request = try factory.request(payload(3_000_000), messageID: HTTPMessageFactory.messageID("inflight-\(attempt)"))
            let first = try HTTPSocket.connect(port: globex.httpPort, timeout: 30)
            let second = try HTTPSocket.connect(port: globex.httpPort, timeout: 30)
            defer {
                close(first)
                close(second)
            }
            HTTPSocket.write(first, request)
            HTTPSocket.write(second, request)
            let answers = [HTTPRawResponse(HTTPSocket.readResponse(first)), HTTPRawResponse(HTTPSocket.readResponse(second))]
            statuses = answers.map { $0?.status ?? 0 }
            XCTAssertTrue(statuses.contains(200), "\(statuses)")
            if statuses.contains(503) {
                XCTAssertNotNil(answers.first { $0?.status == 503 }??.header("Retry-After"))
            }
        }
        XCTAssertTrue(statuses.contains(503), "a copy in progress is answered 503: \(statuses)")
        XCTAssertEqual(globex.files("acme", "inbox").filter { $0.hasSuffix(".mdn.json") }.count, inboxDocuments.count, "each message delivered once")
    }

    func testSameMessageIDWithDifferentContentIsAnUnexpectedProcessingError() throws {
        let id = HTTPMessageFactory.messageID("conflict")
        XCTAssertEqual(try post(try factory.request(payload(3000), messageID: id)).status, 200)
        let other = try post(try factory.request(payload(3000), messageID: id))
        XCTAssertEqual(other.status, 200)
        XCTAssertTrue(other.text.contains("unexpected-processing-error"), other.text)
        XCTAssertEqual(inboxDocuments, ["doc.bin"])
    }

    func testUnknownPartnerGetsAnUnsignedUnknownTradingPartnerMDN() throws {
        let response = try post(try factory.request(payload(1000), messageID: HTTPMessageFactory.messageID("unknown"), fromID: "STRANGER"))
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.text.contains("unknown-trading-partner"), response.text)
        let type = response.header("Content-Type") ?? ""
        XCTAssertTrue(type.lowercased().hasPrefix("multipart/report"), "unsigned: \(type)")
        XCTAssertTrue(inboxDocuments.isEmpty)
    }

    func testMessageForAnotherAS2IDIsRefused() throws {
        let response = try post(try factory.request(payload(1000), messageID: HTTPMessageFactory.messageID("elsewhere"), toID: "SOMEONE-ELSE"))
        XCTAssertTrue(response.text.contains("unknown-trading-partner") || response.status == 404, "\(response.status) \(response.text)")
        XCTAssertTrue(inboxDocuments.isEmpty)
    }

    func testMissingAS2HeadersAreRefusedWithoutDelivery() throws {
        for header in ["as2-from", "as2-to", "message-id"] {
            let request = try factory.request(payload(1000), messageID: HTTPMessageFactory.messageID("missing"), dropHeaders: [header])
            let response = try post(request)
            XCTAssertTrue((400..<500).contains(response.status), "\(header): \(response.status) \(response.text)")
        }
        XCTAssertTrue(inboxDocuments.isEmpty)
    }

    func testTemporaryFailureOnOurSideIs503AndTheResendIsDelivered() throws {
        // An inbox that cannot be written (a file where the folder should be, which stops root too).
        let inbox = globex.folder("acme", "inbox")
        try FileManager.default.removeItem(atPath: inbox)
        _ = FileManager.default.createFile(atPath: inbox, contents: Data("not a folder".utf8))
        let request = try factory.request(payload(2000), messageID: HTTPMessageFactory.messageID("temp"))
        let refused = try post(request)
        XCTAssertEqual(refused.status, 503, refused.text)
        XCTAssertNotNil(refused.header("Retry-After"))
        XCTAssertFalse(refused.text.contains("failed/"), "never a final error MDN: \(refused.text)")

        try FileManager.default.removeItem(atPath: inbox)
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let accepted = try post(request)
        XCTAssertEqual(accepted.status, 200)
        XCTAssertTrue(accepted.text.contains("processed"), accepted.text)
        XCTAssertEqual(inboxDocuments, ["doc.bin"])
    }

    func testAsyncMDNToAURLNotAllowedIsRefusedAndLogged() throws {
        let mdn = MDNRequest(signingDigest: .sha256, receiptDeliveryURL: "http://127.0.0.2:1/evil")
        let response = try post(try factory.request(payload(1000), messageID: HTTPMessageFactory.messageID("evil"), mdn: mdn))
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.body.isEmpty, "an async request gets no receipt in the response")
        XCTAssertTrue(HTTPWait.until(timeout: 10) { self.globex.sidecar("acme", "inbox", "doc.bin")?.mdn.delivery?.status == .failed })
        XCTAssertTrue(globex.log.contains("SECURITY"), "the refusal is logged")
        XCTAssertEqual(globex.sidecar("acme", "inbox", "doc.bin")?.mdn.delivery?.attempts, 0)
    }

    func testHealthzAndMetrics() throws {
        XCTAssertEqual(try globex.admin("/healthz")?.status, 200)
        XCTAssertEqual(try post(try factory.request(payload(1000), messageID: HTTPMessageFactory.messageID("metrics"))).status, 200)
        let metrics = try XCTUnwrap(try globex.admin("/metrics"))
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.text.contains("as2_up 1"), metrics.text)
        XCTAssertTrue(metrics.text.contains("as2_messages_total{direction=\"inbound\",outcome=\"delivered\",partner=\"acme\"} 1"), metrics.text)
        XCTAssertTrue(metrics.text.contains("as2_certificate_expiry_days"), metrics.text)
        XCTAssertEqual(try globex.admin("/nothing")?.status, 404)
    }
}
