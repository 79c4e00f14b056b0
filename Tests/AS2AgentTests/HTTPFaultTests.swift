import AS2Spool
import Foundation
import XCTest

/// Network and process faults between two agents: retries keep the Message-ID, receivers replay
/// receipts, a crashed sender resumes, async MDNs are re-sent, foreign async URLs are refused.
final class HTTPFaultTests: HTTPAgentTestCase {
    var inboxDocuments: (HTTPAgentNode) -> [String] = { n in n.files("acme", "inbox").filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".mdn") } }

    /// ACME reaches GLOBEX through a proxy.
    func proxiedPair(mdn: String = "sync", mode: HTTPFaultProxy.Mode) throws -> (HTTPAgentNode, HTTPAgentNode, HTTPFaultProxy) {
        let (acme, globex) = try pair(mdn: mdn)
        let proxy = try HTTPFaultProxy(upstreamPort: globex.httpPort, mode: mode)
        onTeardown { proxy.stop() }
        acme.partners[0].url = "http://127.0.0.1:\(proxy.port)/as2"
        // GLOBEX sees ACME's requests and sends its async MDNs directly to ACME.
        return (acme, globex, proxy)
    }

    func testPartnerDownThenUpRetriesWithTheSameMessageID() throws {
        let (acme, globex) = try pair()
        try acme.start()
        let document = payload(10_000)
        try acme.drop(document, as: "late.bin", to: "globex")
        XCTAssertTrue(HTTPWait.until(timeout: 15) { acme.log.contains("retry scheduled") }, "a retry is scheduled while GLOBEX is down")
        try globex.start()
        let sent = try acme.waitSent("late.bin", partner: "globex")
        XCTAssertGreaterThanOrEqual(sent.attempts, 2)
        XCTAssertEqual(sent.mdn.dispositionType, .processed)
        XCTAssertTrue(globex.read("acme", "inbox", "late.bin") == document, "the payload must be byte-identical")
        XCTAssertEqual(globex.sidecar("acme", "inbox", "late.bin")?.messageId, sent.messageId)
        XCTAssertEqual(inboxDocuments(globex), ["late.bin"])
        let ids = Set(acme.log.components(separatedBy: "\n").filter { $0.contains("retry scheduled") }.compactMap { $0.range(of: sent.messageId).map { _ in sent.messageId } })
        XCTAssertEqual(ids, [sent.messageId], "every retry carries the same Message-ID")
    }

    func testConnectionCutBeforeTheMDNIsResentAndTheReceiverReplaysTheMDN() throws {
        let (acme, globex, proxy) = try proxiedPair(mode: .passThrough)
        proxy.queue(.dropResponse)
        try globex.start()
        try acme.start()
        let document = payload(20_000)
        try acme.drop(document, as: "cut.bin", to: "globex")
        let sent = try acme.waitSent("cut.bin", partner: "globex")
        XCTAssertEqual(sent.attempts, 2)
        XCTAssertEqual(sent.mdn.dispositionType, .processed)
        XCTAssertEqual(sent.mdn.signatureVerified, true)
        XCTAssertEqual(sent.mdn.micMatched, true)
        XCTAssertEqual(inboxDocuments(globex), ["cut.bin"], "delivered exactly once")
        XCTAssertTrue(globex.log.contains("duplicate of a completed message"), "the second POST was answered from the journal")
        XCTAssertEqual(proxy.connections, 2)
    }

    func testSenderKilledMidSendResumesAfterRestart() throws {
        let (acme, globex, proxy) = try proxiedPair(mode: .blackhole)
        try globex.start()
        try acme.start()
        let document = payload(15_000)
        try acme.drop(document, as: "crash.bin", to: "globex")
        XCTAssertTrue(HTTPWait.until(timeout: 15) { proxy.connections >= 1 }, "the POST is in flight")
        Thread.sleep(forTimeInterval: 0.3)
        acme.crash()
        XCTAssertTrue(acme.files("globex", "sent").isEmpty)
        proxy.setMode(.passThrough)
        try acme.start()
        let sent = try acme.waitSent("crash.bin", partner: "globex")
        XCTAssertEqual(sent.mdn.dispositionType, .processed)
        XCTAssertTrue(globex.read("acme", "inbox", "crash.bin") == document, "the payload must be byte-identical")
        XCTAssertEqual(inboxDocuments(globex), ["crash.bin"])
        XCTAssertTrue(acme.log.contains(sent.messageId), "the Message-ID of the first attempt")
        let claimed = acme.log.components(separatedBy: "\n").filter { $0.contains("file claimed") }
        XCTAssertEqual(claimed.count, 1, "claimed once, resumed after the restart: \(claimed)")
    }

    /// `send_concurrency` (2 here) bounds the HTTP exchanges, not the files worked on: while the
    /// partner never answers, two POSTs hang and 4 × 2 files are claimed, the rest wait in the
    /// outbox; once it answers again, every file arrives exactly once.
    func testSendConcurrencyBoundsTheExchangesWhileMoreFilesAreClaimed() throws {
        let (acme, globex, proxy) = try proxiedPair(mode: .blackhole)
        try globex.start()
        try acme.start()
        let names = (0..<10).map { "c\($0).bin" }
        for (i, name) in names.enumerated() { try acme.drop(payload(1_000 + i), as: name, to: "globex") }
        XCTAssertTrue(HTTPWait.until(timeout: 15) { proxy.connections >= 2 && acme.files("globex", "outbox").count == 2 }, "two POSTs hang, eight files claimed")
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(proxy.connections, 2, "no third exchange while two are in flight")
        XCTAssertEqual(acme.files("globex", "outbox").count, 2, "no more than 4 × send_concurrency files claimed")
        proxy.setMode(.passThrough)
        for name in names {
            let sent = try acme.waitSent(name, partner: "globex", timeout: 60)
            XCTAssertEqual(sent.mdn.dispositionType, .processed, name)
        }
        XCTAssertEqual(inboxDocuments(globex), names.sorted())
    }

    func testAsyncMDNEndpointDownIsRetriedLater() throws {
        let (acme, globex) = try pair(mdn: "async")
        // ACME announces its receipt URL through a proxy that is "down" for the first attempts.
        let proxy = try HTTPFaultProxy(upstreamPort: acme.httpPort, mode: .passThrough)
        onTeardown { proxy.stop() }
        proxy.queue(.closeImmediately, .closeImmediately)
        let url = "http://127.0.0.1:\(proxy.port)/as2/mdn"
        acme.httpExtra = ["async_mdn_url = \"\(url)\""]
        globex.partners[0].extra += ["async_mdn_return_urls = [\"\(url)\"]"]
        try globex.start()
        try acme.start()
        let document = payload(8_000)
        try acme.drop(document, as: "async.bin", to: "globex")
        let sent = try acme.waitSent("async.bin", partner: "globex")
        XCTAssertEqual(sent.mdn.mode, .async)
        XCTAssertEqual(sent.mdn.signatureVerified, true)
        XCTAssertEqual(sent.mdn.micMatched, true)
        XCTAssertEqual(sent.attempts, 1, "the message itself was sent once")
        XCTAssertEqual(proxy.connections, 3)
        let delivery = try XCTUnwrap(HTTPWait.until(timeout: 5) { globex.sidecar("acme", "inbox", "async.bin")?.mdn.delivery?.status == .delivered }
            ? globex.sidecar("acme", "inbox", "async.bin")?.mdn.delivery : nil)
        XCTAssertEqual(delivery.attempts, 3)
        XCTAssertTrue(globex.log.contains("async MDN delivery failed; will retry"))
        XCTAssertEqual(inboxDocuments(globex), ["async.bin"])
    }

    func testWrongAsyncURLIsRefusedAndLogged() throws {
        let (acme, globex) = try pair(mdn: "async")
        let elsewhere = try HTTPSocket.freePort()
        acme.httpExtra = ["async_mdn_url = \"http://127.0.0.1:\(elsewhere)/as2/mdn\""]
        try globex.start()
        try acme.start()
        try acme.drop(payload(4_000), as: "wrong.bin", to: "globex")
        XCTAssertTrue(HTTPWait.until(timeout: 15) { globex.sidecar("acme", "inbox", "wrong.bin")?.mdn.delivery?.status == .failed },
                      "\(String(describing: globex.sidecar("acme", "inbox", "wrong.bin")?.mdn))")
        XCTAssertTrue(globex.log.contains("SECURITY"), "the refusal is logged")
        XCTAssertTrue(acme.files("globex", "sent").isEmpty, "no receipt reached ACME")
    }
}
