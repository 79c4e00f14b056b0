import AS2Spool
import Foundation
import XCTest

/// Two `as2-agent run` processes over loopback, every MDN mode, over HTTP and HTTPS: the payload
/// arrives byte-identical and the sender verifies the receipt (sent/ sidecar).
final class HTTPExchangeTests: HTTPAgentTestCase {
    func testNoMDNOverHTTP() throws { try exchange(tls: false, mdn: "none", signed: false) }
    func testSyncUnsignedMDNOverHTTP() throws { try exchange(tls: false, mdn: "sync", signed: false) }
    func testSyncSignedMDNOverHTTP() throws { try exchange(tls: false, mdn: "sync", signed: true) }
    func testAsyncUnsignedMDNOverHTTP() throws { try exchange(tls: false, mdn: "async", signed: false) }
    func testAsyncSignedMDNOverHTTP() throws { try exchange(tls: false, mdn: "async", signed: true) }
    func testNoMDNOverHTTPS() throws { try exchange(tls: true, mdn: "none", signed: false) }
    func testSyncUnsignedMDNOverHTTPS() throws { try exchange(tls: true, mdn: "sync", signed: false) }
    func testSyncSignedMDNOverHTTPS() throws { try exchange(tls: true, mdn: "sync", signed: true) }
    func testAsyncUnsignedMDNOverHTTPS() throws { try exchange(tls: true, mdn: "async", signed: false) }
    func testAsyncSignedMDNOverHTTPS() throws { try exchange(tls: true, mdn: "async", signed: true) }

    func testGracefulStop() throws {
        let (acme, _) = try pair()
        try acme.start()
        XCTAssertEqual(try acme.admin("/healthz")?.status, 200)
        let process = try XCTUnwrap(acme.process)
        acme.stop(timeout: 15)
        XCTAssertFalse(process.isRunning)
        XCTAssertEqual(process.terminationReason, .exit, "SIGTERM drains and exits, it is not killed")
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(acme.log.contains("stopped"))
    }

    func exchange(tls: Bool, mdn: String, signed: Bool) throws {
        let (acme, globex) = try pair(tls: tls, mdn: mdn, signed: signed)
        try globex.start()
        try acme.start()
        let document = payload(70_000)
        try acme.drop(document, as: "order-1.bin", to: "globex")

        let sent = try acme.waitSent("order-1.bin", partner: "globex")
        XCTAssertTrue(acme.read("globex", "sent", "order-1.bin") == document, "the payload must be byte-identical")
        XCTAssertTrue(acme.files("globex", "outbox").isEmpty)
        XCTAssertEqual(sent.direction, .sent)
        XCTAssertEqual(sent.file.sha256, HTTPDigest.sha256Hex(document))
        switch mdn {
        case "none":
            XCTAssertEqual(sent.mdn.mode, .none)
        default:
            XCTAssertEqual(sent.mdn.mode, mdn == "sync" ? .sync : .async)
            XCTAssertEqual(sent.mdn.dispositionType, .processed, "\(sent.mdn)")
            XCTAssertEqual(sent.mdn.micMatched, true)
            XCTAssertEqual(sent.mdn.signed, signed)
            if signed { XCTAssertEqual(sent.mdn.signatureVerified, true) }
            XCTAssertNotNil(acme.read("globex", "sent", "order-1.bin.mdn"), "the raw receipt is kept beside the document")
        }

        // The receiver: the document byte-identical in inbox/, its sidecar, evidence of origin.
        XCTAssertTrue(globex.read("acme", "inbox", "order-1.bin") == document, "the payload must be byte-identical")
        let received = try XCTUnwrap(globex.sidecar("acme", "inbox", "order-1.bin"))
        XCTAssertEqual(received.direction, .received)
        XCTAssertEqual(received.messageId, sent.messageId)
        XCTAssertTrue(received.security.signed)
        XCTAssertTrue(received.security.encrypted)
        let evidence = try FileManager.default.subpathsOfDirectory(atPath: globex.state + "/evidence")
        XCTAssertTrue(evidence.contains { $0.hasSuffix("signed-entity.mime") }, "\(evidence)")
        XCTAssertTrue(evidence.contains { $0.hasSuffix("signer.pem") }, "\(evidence)")
        if mdn == "async" {
            XCTAssertTrue(HTTPWait.until(timeout: 10) { globex.sidecar("acme", "inbox", "order-1.bin")?.mdn.delivery?.status == .delivered },
                          "inbox sidecar: \(String(describing: globex.sidecar("acme", "inbox", "order-1.bin")?.mdn))")
        }
        // Metrics on both sides.
        let outcome = "as2_messages_total{direction=\"outbound\",outcome=\"delivered\",partner=\"globex\"} 1"
        // (counted right after the file reaches sent/)
        XCTAssertTrue(HTTPWait.until(timeout: 5) { (try? acme.admin("/metrics"))??.text.contains(outcome) == true }, "ACME counts the delivery")
        let inbound = "as2_messages_total{direction=\"inbound\",outcome=\"delivered\",partner=\"acme\"} 1"
        XCTAssertTrue(try globex.admin("/metrics")?.text.contains(inbound) == true, "GLOBEX counts the receipt")
        // Exactly one document and no error files on either side.
        XCTAssertEqual(globex.files("acme", "inbox").filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".mdn") }, ["order-1.bin"])
        XCTAssertTrue(acme.files("globex", "failed").isEmpty)
    }
}
