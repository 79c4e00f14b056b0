import Foundation
import XCTest

/// SIGTERM drains: sends already started finish (their files reach sent/ with receipts) before
/// the agent exits; a second SIGTERM stops at once and the journal resumes the rest next start.
final class FolderDrainTests: FolderTestCase {
    /// ACME sends to GLOBEX through `proxy` (started in `mode`).
    private func pairThroughProxy(_ mode: HTTPFaultProxy.Mode) throws -> (FolderTestParty, FolderTestParty, HTTPFaultProxy) {
        let (acme, globex) = try pair()
        let proxy = try HTTPFaultProxy(upstreamPort: globex.port, mode: mode)
        try acme.addPartner(.init(name: globex.name, as2ID: globex.as2ID, url: "http://127.0.0.1:\(proxy.port)/as2", certificate: globex.certificatePath))
        try acme.writeConfiguration()
        return (acme, globex, proxy)
    }

    func testSIGTERMWaitsForSendsInFlightAndTheirReceipts() throws {
        let (acme, globex, proxy) = try pairThroughProxy(.delayResponse(2))
        defer { proxy.stop() }
        let g = try start(globex)
        let a = try start(acme)
        let names = ["drain-1.edi", "drain-2.edi", "drain-3.edi"]
        for (i, name) in names.enumerated() {
            try FolderSupport.drop(FolderSupport.payload(size: 2048, seed: i), named: name, into: acme.outbox("globex"))
        }
        expect(within: 30, "the three requests reached the partner", agents: [a]) { proxy.connections >= 3 }
        let stopping = Date()
        XCTAssertEqual(a.stop(timeout: 30), 0, "SIGTERM drains and exits 0")
        XCTAssertGreaterThan(Date().timeIntervalSince(stopping), 0.5, "the agent waited for the receipts")
        for name in names {
            XCTAssertTrue(FileManager.default.fileExists(atPath: acme.sent("globex") + "/" + name), "\(name) in sent/\n\(a.tail())")
            XCTAssertTrue(FileManager.default.fileExists(atPath: acme.sent("globex") + "/" + name + ".mdn.json"), "\(name) has its receipt")
            XCTAssertTrue(FileManager.default.fileExists(atPath: globex.inbox("acme") + "/" + name), "\(name) delivered")
        }
        XCTAssertEqual(FolderSupport.documents(in: acme.outbox("globex")), [])
        let log = a.tail(lines: 200)
        XCTAssertTrue(log.contains("waiting for sends in flight"), log)
        XCTAssertTrue(log.contains("sends in flight finished"), log)
        XCTAssertEqual(g.stop(timeout: 15), 0, g.tail())
    }

    func testFilesNotYetClaimedStayInTheOutboxWhenStopping() throws {
        let (acme, globex, proxy) = try pairThroughProxy(.delayResponse(1))
        defer { proxy.stop() }
        acme.folderSettings["send_concurrency"] = "1"
        try acme.writeConfiguration()
        let g = try start(globex)
        let a = try start(acme)
        let names = (1...12).map { "queued-\($0).edi" }
        for (i, name) in names.enumerated() {
            try FolderSupport.drop(FolderSupport.payload(size: 512, seed: 100 + i), named: name, into: acme.outbox("globex"))
        }
        expect(within: 30, "the first request reached the partner", agents: [a]) { proxy.connections >= 1 }
        XCTAssertEqual(a.stop(timeout: 40), 0, "SIGTERM drains and exits 0")
        let sent = Set(FolderSupport.documents(in: acme.sent("globex")))
        let waiting = Set(FolderSupport.documents(in: acme.outbox("globex")))
        XCTAssertFalse(sent.isEmpty, "the send in flight finished")
        XCTAssertFalse(waiting.isEmpty, "files not yet claimed were left in the outbox")
        XCTAssertEqual(sent.union(waiting), Set(names), "every file is in sent/ or still in the outbox")
        XCTAssertTrue(sent.isDisjoint(with: waiting))
        for name in sent { XCTAssertTrue(FileManager.default.fileExists(atPath: acme.sent("globex") + "/" + name + ".mdn.json"), name) }
        XCTAssertEqual(FolderSupport.files(in: acme.spool + "/globex/.as2/claims"), [], "nothing left claimed")

        proxy.setMode(.passThrough)
        try restart(a)
        expect(within: 60, "the rest sent after the restart", agents: [a, g]) {
            Set(FolderSupport.documents(in: acme.sent("globex"))) == Set(names)
        }
        XCTAssertEqual(Set(FolderSupport.documents(in: globex.inbox("acme"))), Set(names), "each delivered once")
        XCTAssertEqual(FolderSupport.documents(in: globex.inbox("acme")).count, names.count)
        XCTAssertEqual(a.stop(timeout: 15), 0, a.tail())
        XCTAssertEqual(g.stop(timeout: 15), 0, g.tail())
    }

    func testASecondSIGTERMStopsAtOnceAndTheSendResumesNextStart() throws {
        let (acme, globex, proxy) = try pairThroughProxy(.blackhole)
        defer { proxy.stop() }
        let g = try start(globex)
        let a = try start(acme)
        try FolderSupport.drop(FolderSupport.payload(size: 1024, seed: 7), named: "held.edi", into: acme.outbox("globex"))
        expect(within: 30, "the request reached the partner", agents: [a]) { proxy.connections >= 1 }
        a.signal(SIGTERM)
        expect(within: 10, "the drain started", agents: [a]) { a.tail(lines: 200).contains("waiting for sends in flight") }
        let second = Date()
        XCTAssertEqual(a.stop(timeout: 10), 0, "the second SIGTERM ends the drain")
        XCTAssertLessThan(Date().timeIntervalSince(second), 8)
        XCTAssertFalse(FileManager.default.fileExists(atPath: acme.sent("globex") + "/held.edi"))
        XCTAssertEqual(FolderSupport.documents(in: acme.outbox("globex")), [], "the claimed file is not put back")

        proxy.setMode(.passThrough)
        try restart(a)
        expect(within: 60, "held.edi resumed and sent", agents: [a, g]) {
            FileManager.default.fileExists(atPath: acme.sent("globex") + "/held.edi.mdn.json")
        }
        XCTAssertEqual(FolderSupport.documents(in: globex.inbox("acme")), ["held.edi"], "delivered once")
        XCTAssertEqual(a.stop(timeout: 15), 0, a.tail())
        XCTAssertEqual(g.stop(timeout: 15), 0, g.tail())
    }
}
