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

    func testAStderrWhoseReaderIsGoneDoesNotStopTheAgent() throws {
        // Under `make run` the agents' output goes through `sed`; when that dies first, every log
        // line meets EPIPE — which used to trap ("Illegal instruction") instead of being dropped.
        let (acme, _) = try pair()
        let pipe = Pipe()
        try acme.start(output: pipe)
        try pipe.fileHandleForReading.close()
        let process = try XCTUnwrap(acme.process)
        acme.stop(timeout: 15)  // SIGTERM: "stopping …" and "stopped" are logged into the dead pipe
        XCTAssertFalse(process.isRunning)
        XCTAssertEqual(process.terminationReason, .exit, "it exits; it is not killed by a signal or a trap")
        XCTAssertEqual(process.terminationStatus, 0)
    }

    func testASignedEntityOverTheJournalLimitIsKeptAsAnEvidenceFile() throws {
        try assertEvidenceFile(documentSize: 1_200_000)  // decrypted in memory: the evidence is a copy
    }

    /// Over the 4 MiB an unpack keeps in memory, the decrypted content is a spooled file, and
    /// the evidence is a second link to it instead of a copy.
    func testALargeSignedEntityBecomesTheEvidenceFileWithoutACopy() throws {
        try assertEvidenceFile(documentSize: 5_000_000)
    }

    func assertEvidenceFile(documentSize: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let (acme, globex) = try pair()
        try globex.start()
        try acme.start()
        let document = payload(documentSize)
        try acme.drop(document, as: "big.bin", to: "globex")
        let sent = try acme.waitSent("big.bin", partner: "globex")
        XCTAssertEqual(sent.mdn.dispositionType, .processed, file: file, line: line)
        let files = try FileManager.default.subpathsOfDirectory(atPath: globex.state + "/evidence").filter { $0.hasSuffix(".signed-entity.mime") }
        XCTAssertEqual(files.count, 1, "\(files)", file: file, line: line)
        let exported = try exportEvidence(globex, messageID: sent.messageId)
        XCTAssertGreaterThan(exported.entitySize, documentSize, file: file, line: line)
        XCTAssertTrue(exported.entity.contains("\r\ncontent-type: multipart/signed"), file: file, line: line)
        XCTAssertFalse(exported.signerPEM.isEmpty, file: file, line: line)
        // Mode 0640 either way, and no spooled temp file stays in work/ once the message is done.
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: globex.state + "/evidence/" + files[0])[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o640, file: file, line: line)
        var leftovers: [String] = []
        for _ in 0..<100 {
            leftovers = try FileManager.default.contentsOfDirectory(atPath: globex.state + "/work").filter { $0.hasPrefix("tmp-") }
            if leftovers.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(leftovers, [], "spooled temp files left in work/", file: file, line: line)
    }

    /// `as2-agent message evidence` of `messageID` on `node`: the signed entity (lower-cased
    /// text), the signer PEM, and whether the receipt we returned was written.
    func exportEvidence(_ node: HTTPAgentNode, messageID: String) throws -> (entity: String, entitySize: Int, signerPEM: String, receiptSent: Bool) {
        let out = node.directory + "/evidence-export-\(UUID().uuidString)"
        let (status, output) = try runAgent(["message", "evidence", messageID, "--out", out, "--config", node.configPath])
        XCTAssertEqual(status, 0, output)
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        let entityPath = out + "/" + (names.first { $0.hasSuffix(".signed.msg") } ?? "?")
        let pemPath = out + "/" + (names.first { $0.hasSuffix(".signer.pem") } ?? "?")
        let entity = try XCTUnwrap(FileManager.default.contents(atPath: entityPath), "\(names)")
        let pem = try XCTUnwrap(FileManager.default.contents(atPath: pemPath), "\(names)")
        // The exported signed entity re-verifies with `as2-agent inspect`, as docs/http.md shows.
        let (verified, verdict) = try runAgent(["inspect", entityPath, "--partner-cert", pemPath])
        XCTAssertEqual(verified, 0, "as2-agent inspect: \(verdict)")
        XCTAssertTrue(verdict.contains("\"verified\""), verdict)
        return (String(decoding: entity, as: UTF8.self).lowercased(), entity.count, String(decoding: pem, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                names.contains { $0.hasSuffix(".mdn-sent") })
    }

    /// Runs the `as2-agent` command line; its exit status and output (stdout and stderr).
    func runAgent(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try HTTPAgentBinary.path())
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
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
        // Evidence of origin is in the journal (no file per message); the CLI exports it.
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: globex.state + "/evidence"), [])
        let exported = try exportEvidence(globex, messageID: sent.messageId)
        XCTAssertTrue(exported.entity.contains("\r\ncontent-type: multipart/signed"), String(exported.entity.prefix(300)))
        XCTAssertEqual(exported.signerPEM, try String(contentsOfFile: acme.party.certificatePath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(exported.receiptSent, mdn != "none")
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
