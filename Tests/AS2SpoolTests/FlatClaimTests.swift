import AS2Bytes
import Foundation
import Synchronization
import XCTest

@testable import AS2Spool

/// Claims of files from the outbox top: `claims/<id>~<name>`, finished without a manifest, and
/// recovered after a crash at each step of their finish.
final class FlatClaimTests: XCTestCase {
    private func folders(_ dir: TestDirectory) throws -> PartnerFolders {
        let f = try PartnerFolders(spoolRoot: dir.path, partner: "acme")
        try f.create()
        return f
    }

    private func claimed(_ f: PartnerFolders, _ name: String = "po.edi", _ text: String = "order") throws -> Claim {
        try writeFile(f.outbox + "/" + name, text)
        return try XCTUnwrap(try Claim.claim(file: f.outbox + "/" + name, folders: f))
    }

    private func documents(_ dir: String) -> [String] { listing(dir).filter { !$0.hasPrefix(".") } }

    /// The first claims of a partner race to create `claims/`: every file is still claimed (a
    /// claim that found the folder missing and then made by another claim must not give up).
    func testConcurrentFirstClaimsAllSucceedWhileTheClaimsFolderIsCreated() throws {
        for round in 0..<20 {
            let dir = try TestDirectory()
            let f = try folders(dir)
            try? FileManager.default.removeItem(atPath: f.claims)
            XCTAssertFalse(FileManager.default.fileExists(atPath: f.claims), f.claims)
            let names = (0..<8).map { "r\(round)-\($0).edi" }
            for name in names { try writeFile(f.outbox + "/" + name, name) }
            let claimed = Mutex([String]())
            // Every thread waits for the others, then all claim at once.
            let waiting = Atomic<Int>(0)
            let done = DispatchGroup()
            for name in names {
                done.enter()
                Thread {
                    waiting.add(1, ordering: .sequentiallyConsistent)
                    while waiting.load(ordering: .sequentiallyConsistent) < names.count {}
                    if let claim = try? Claim.claim(file: f.outbox + "/" + name, folders: f) {
                        claimed.withLock { $0.append(claim.originalName) }
                    }
                    done.leave()
                }.start()
            }
            done.wait()
            XCTAssertEqual(Set(claimed.withLock { $0 }), Set(names), "round \(round): every file claimed")
            XCTAssertEqual(documents(f.outbox), [], "round \(round): nothing left in the outbox")
        }
    }

    func testTopLevelFileIsClaimedFlatWithoutFolderOrManifest() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.outbox + "/po.edi", "order")
        let claim = try XCTUnwrap(try Claim.claim(file: f.outbox + "/po.edi", folders: f, now: Date(timeIntervalSince1970: 1_234.5)))
        XCTAssertEqual(claim.layout, .flat)
        XCTAssertEqual(claim.path, f.claims + "/" + claim.id + "~po.edi")
        XCTAssertEqual(listing(f.claims), [claim.id + "~po.edi"], "one entry, no folder, no manifest")
        XCTAssertEqual(claim.claimedAt, Date(timeIntervalSince1970: 1_234))
        XCTAssertEqual(claim.moveFolders, [f.claims, f.outbox])
        XCTAssertEqual(try Claim.load(claimedPath: claim.path, folders: f), claim)
        XCTAssertEqual(try Claim.list(folders: f, now: Date(timeIntervalSince1970: 5_000)), [claim])
        let document = try claim.finishSent(receipt: sampleReceipt(direction: .sent, name: "po.edi"), rawMDN: [1, 2])
        XCTAssertEqual(document.path, f.sent + "/po.edi")
        XCTAssertEqual(document.rawMDNPath, f.sent + "/po.edi.mdn")
        XCTAssertEqual(listing(f.sent), ["po.edi", "po.edi.mdn", "po.edi.mdn.json"], "no temp file left")
        XCTAssertEqual(readText(document.path), "order")
        XCTAssertEqual(listing(f.claims), [])
        XCTAssertNil(try Claim.load(claimedPath: claim.path, folders: f), "a finished flat claim is gone")
    }

    func testClaimRecoveredAfterACrashBeforeItsFinish() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimed(f)
        // A restart: the claim is listed (adopted when it has no journal row) and finishes.
        let listed = try XCTUnwrap(try Claim.list(folders: f).first)
        XCTAssertEqual(listed, claim)
        XCTAssertEqual(try listed.finishFailed(errorSidecar: Data("{}".utf8)).path, f.failed + "/po.edi")
        XCTAssertEqual(listing(f.claims), [])
    }

    func testCrashAfterTheSidecarsWereStagedLeavesOnlyTempFiles() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimed(f)
        let staged = try claim.stage(.receipt(sampleReceipt(direction: .sent, name: "po.edi"), rawMDN: [1]))
        XCTAssertEqual(staged.unsyncedPaths.count, 2)
        XCTAssertEqual(documents(f.sent), [], "nothing visible before its data is on disk")
        // Crash; after the restart the same finish runs again.
        let again = try XCTUnwrap(try Claim.load(claimedPath: claim.path, folders: f))
        let done = try again.finishSent(receipt: sampleReceipt(direction: .sent, name: "po.edi"), rawMDN: [1])
        XCTAssertEqual(done.name, "po.edi")
        XCTAssertEqual(documents(f.sent), ["po.edi", "po.edi.mdn", "po.edi.mdn.json"])
        let removed = try f.removeStaleTemporaryFiles(olderThan: -60)
        XCTAssertEqual(Set(removed), Set(staged.unsyncedPaths), "the interrupted run's temp files are swept at start")
    }

    func testCrashAfterTheSidecarsWerePlacedReusesTheirName() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimed(f)
        let receipt = sampleReceipt(direction: .sent, name: "po.edi")
        let staged = try claim.stage(.receipt(receipt, rawMDN: [1]))
        XCTAssertEqual(staged.name, "po.edi")
        // The sidecars went into place, the document did not (crash).
        for path in staged.unsyncedPaths {
            let suffix = readText(path)?.hasPrefix("{") == true ? ".mdn.json" : ".mdn"
            try FileSystem.rename(path, to: f.sent + "/po.edi" + suffix)
        }
        XCTAssertEqual(listing(f.sent), ["po.edi.mdn", "po.edi.mdn.json"])
        let done = try claim.finishSent(receipt: receipt, rawMDN: [1, 2, 3])
        XCTAssertEqual(done.name, "po.edi", "the name of the interrupted finish is reused, not po-1.edi")
        XCTAssertEqual(listing(f.sent), ["po.edi", "po.edi.mdn", "po.edi.mdn.json"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.sent + "/po.edi.mdn")), Data([1, 2, 3]), "sidecars rewritten")
        XCTAssertEqual(listing(f.claims), [])
    }

    func testOrphanSidecarsOfAnotherMessageAreNotReused() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimed(f)
        try writeFile(f.sent + "/po.edi.mdn.json", String(decoding: try sampleReceipt(direction: .sent, name: "other").encoded(), as: UTF8.self))
        let done = try claim.finishSent(receipt: sampleReceipt(direction: .sent, name: "po.edi"), rawMDN: nil)
        XCTAssertEqual(done.name, "po-1.edi")
        XCTAssertEqual(try ReceiptSidecar.decode(from: Data(contentsOf: URL(fileURLWithPath: done.sidecarPath))).file.name, "po-1.edi")
    }

    func testCrashAfterTheDocumentWasLinkedButNotUnlinked() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimed(f)
        let receipt = sampleReceipt(direction: .sent, name: "po.edi")
        try writeFile(f.sent + "/po.edi.mdn.json", String(decoding: try receipt.encoded(), as: UTF8.self))
        XCTAssertEqual(link(claim.path, f.sent + "/po.edi"), 0)
        let done = try claim.finishSent(receipt: receipt, rawMDN: nil)
        XCTAssertEqual(done.path, f.sent + "/po.edi")
        XCTAssertEqual(listing(f.sent), ["po.edi", "po.edi.mdn.json"], "not delivered a second time as po-1.edi")
        XCTAssertEqual(listing(f.claims), [])
    }

    func testCrashAfterTheDocumentMovedIsFoundByItsMessageID() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.sent + "/po.edi", "an earlier one")
        try writeFile(f.sent + "/po.edi.mdn.json", String(decoding: try sampleReceipt(direction: .sent, name: "other").encoded(), as: UTF8.self))
        let claim = try claimed(f)
        let receipt = sampleReceipt(direction: .sent, name: "po.edi")
        let done = try claim.finishSent(receipt: receipt, rawMDN: nil)
        XCTAssertEqual(done.name, "po-1.edi")
        // Crash before the journal recorded it: the claim is gone, the sidecar says where it went.
        XCTAssertNil(try Claim.load(claimedPath: claim.path, folders: f))
        XCTAssertEqual(Claim.finishedDocument(claimedPath: claim.path, messageID: receipt.messageId, folders: f), done)
        XCTAssertNil(Claim.finishedDocument(claimedPath: claim.path, messageID: "<unknown@test>", folders: f))
        XCTAssertNil(Claim.finishedDocument(claimedPath: f.claims + "/x/po.edi", messageID: receipt.messageId, folders: f))
        // Still found when a user has taken the earlier po.edi away meanwhile.
        try FileSystem.remove(f.sent + "/po.edi")
        try FileSystem.remove(f.sent + "/po.edi.mdn.json")
        XCTAssertEqual(Claim.finishedDocument(claimedPath: claim.path, messageID: receipt.messageId, folders: f), done)

        let failing = try claimed(f, "bad.edi")
        let error = ErrorSidecar(
            messageId: "<bad@test>", partner: "acme", file: SidecarFile(name: "bad.edi", originalName: "bad.edi", size: 5, sha256: ""),
            failedAt: Date(), reason: "rejected", category: .rejected, attempts: 1)
        let failed = try failing.finishFailed(error: error)
        XCTAssertEqual(Claim.finishedDocument(claimedPath: failing.path, messageID: "<bad@test>", folders: f), failed)
    }

    func testPlaceMovesOnWhenTheNameIsTakenMeanwhile() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimed(f)
        let staged = try claim.stage(.receipt(sampleReceipt(direction: .sent, name: "po.edi"), rawMDN: nil))
        try writeFile(f.sent + "/po.edi", "another writer was faster")
        for path in staged.unsyncedPaths { try FileSystem.syncFile(path) }
        let done = try claim.place(staged)
        XCTAssertEqual(done.name, "po-1.edi")
        XCTAssertEqual(readText(f.sent + "/po.edi"), "another writer was faster")
        XCTAssertEqual(readText(done.path), "order")
        XCTAssertEqual(try ReceiptSidecar.decode(from: Data(contentsOf: URL(fileURLWithPath: done.sidecarPath))).file.name, "po-1.edi")
        XCTAssertEqual(listing(f.sent), ["po-1.edi", "po-1.edi.mdn.json", "po.edi"], "no sidecar or temp file left for po.edi")
    }

    func testOldLayoutClaimFolderWithoutManifestIsStillRecovered() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        // A claim made before the flat layout: `claims/<id>/<name>`, no manifest (outbox top).
        let id = "1700000000000-00000000000000ab"
        try writeFile(f.claims + "/" + id + "/po.edi", "old order")
        let claims = try Claim.list(folders: f, now: Date(timeIntervalSince1970: 1_800_000_000))
        XCTAssertEqual(claims.map(\.layout), [.folder])
        let claim = try XCTUnwrap(claims.first)
        XCTAssertEqual(claim.path, f.claims + "/" + id + "/po.edi")
        XCTAssertEqual(claim.claimedAt, Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertEqual(try Claim.load(claimedPath: claim.path, folders: f), claim, "found from the journal's claimed path")
        XCTAssertEqual(claim.moveFolders, [f.claims + "/" + id, f.outbox])
        let staged = try claim.stage(.receipt(sampleReceipt(direction: .sent, name: "po.edi"), rawMDN: nil))
        XCTAssertEqual(staged.unsyncedPaths, [], "a folder claim finishes with its manifest at place")
        let done = try claim.place(staged)
        XCTAssertEqual(done.path, f.sent + "/po.edi")
        XCTAssertEqual(readText(done.path), "old order")
        XCTAssertTrue(FileSystem.exists(done.sidecarPath))
        XCTAssertEqual(listing(f.claims), [])
    }

    func testMixedLayoutsAreListedOldestFirst() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.claims + "/1000000-00000000000000aa/old.edi", "old")
        try writeFile(f.outbox + "/new.edi", "new")
        let flat = try XCTUnwrap(try Claim.claim(file: f.outbox + "/new.edi", folders: f, now: Date(timeIntervalSince1970: 2_000)))
        try writeFile(f.claims + "/.tmp-stray", "ignored")
        try writeFile(f.claims + "/no-separator", "ignored")
        let listed = try Claim.list(folders: f, now: Date(timeIntervalSince1970: 3_000))
        XCTAssertEqual(listed.map(\.originalName), ["old.edi", "new.edi"])
        XCTAssertEqual(listed.last, flat)
    }
}
