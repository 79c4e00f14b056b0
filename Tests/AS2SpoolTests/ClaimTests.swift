import AS2Bytes
import Foundation
import XCTest

@testable import AS2Spool

final class ClaimTests: XCTestCase {
    private func folders(_ dir: TestDirectory) throws -> PartnerFolders {
        let f = try PartnerFolders(spoolRoot: dir.path, partner: "acme")
        try f.create()
        return f
    }

    private let receipt = Data("{\"format\":1}\n".utf8)

    func testPartnerFoldersAreCreatedAndNamesChecked() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        for path in [f.outbox, f.sent, f.failed, f.inbox, f.claims, f.tmp] {
            XCTAssertTrue(FileSystem.isDirectory(path), path)
        }
        XCTAssertEqual(f.outbox, dir.path + "/acme/outbox")
        XCTAssertEqual(f.work, dir.path + "/acme/.as2")
        var st = stat()
        XCTAssertEqual(stat(f.outbox, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o750 & ~umaskValue())
        for bad in ["", "Acme", "../x", "a/b", ".hidden", "-x", "a b"] {
            XCTAssertThrowsError(try PartnerFolders(spoolRoot: dir.path, partner: bad), bad) {
                XCTAssertEqual(($0 as? SpoolError)?.code, .invalidPartnerName)
            }
        }
        XCTAssertNoThrow(try PartnerFolders(spoolRoot: dir.path, partner: "bank-2.eu_x"))
    }

    private func umaskValue() -> mode_t {
        let old = umask(0)
        umask(old)
        return old
    }

    func testClaimMovesTheFileAndRecordsItsSubpath() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.outbox + "/2024/inv.edi", "invoice")
        let claim = try XCTUnwrap(try Claim.claim(file: f.outbox + "/2024/inv.edi", folders: f))
        XCTAssertEqual(claim.subpath, "2024/inv.edi")
        XCTAssertEqual(claim.path, f.claims + "/" + claim.id + "/inv.edi")
        XCTAssertEqual(readText(claim.path), "invoice")
        XCTAssertFalse(FileSystem.exists(f.outbox + "/2024/inv.edi"))
        XCTAssertEqual(listing(claim.directory), [".claim.json", "inv.edi"])
        let manifest = try SidecarCoding.decode(ClaimManifest.self, from: Data(contentsOf: URL(fileURLWithPath: claim.directory + "/.claim.json")))
        XCTAssertEqual(manifest.subpath, "2024/inv.edi")
        XCTAssertEqual(manifest.partner, "acme")
        XCTAssertEqual(try Claim.list(folders: f), [claim])
    }

    func testYoungEmptyClaimFolderIsKeptWhileItsClaimMayBeInProgress() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        // A claim being made: its folder exists, its document is not moved in yet.
        let id = "1000000-00000000000000ab"
        try FileSystem.createDirectory(f.claims + "/" + id)
        XCTAssertEqual(try Claim.list(folders: f, now: Date(timeIntervalSince1970: 1_030)), [])
        XCTAssertTrue(FileSystem.exists(f.claims + "/" + id))
        XCTAssertEqual(try Claim.list(folders: f, now: Date(timeIntervalSince1970: 1_100)), [])
        XCTAssertFalse(FileSystem.exists(f.claims + "/" + id), "removed once stale")
    }

    func testVanishedFoldersAndLinksAreNotClaimed() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        XCTAssertNil(try Claim.claim(file: f.outbox + "/gone.edi", folders: f))
        try FileSystem.createDirectory(f.outbox + "/folder")
        XCTAssertNil(try Claim.claim(file: f.outbox + "/folder", folders: f))
        try writeFile(dir.sub("elsewhere.edi"))
        XCTAssertEqual(symlink(dir.sub("elsewhere.edi"), f.outbox + "/link.edi"), 0)
        XCTAssertNil(try Claim.claim(file: f.outbox + "/link.edi", folders: f))
        XCTAssertThrowsError(try Claim.claim(file: dir.sub("elsewhere.edi"), folders: f))
        XCTAssertThrowsError(try Claim.claim(file: f.outbox + "/../x.edi", folders: f))
        XCTAssertEqual(listing(f.claims), [], "no claim folder is left behind")
    }

    func testOnlyOneOfManyConcurrentClaimsWins() async throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.outbox + "/contested.edi")
        let path = f.outbox + "/contested.edi"
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { ((try? Claim.claim(file: path, folders: f)) ?? nil) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(results.filter { $0 }.count, 1)
        XCTAssertEqual(try Claim.list(folders: f).count, 1)
        XCTAssertEqual(listing(f.claims).count, 1, "losers leave no claim folder")
    }

    func testFinishSentKeepsTheSubpathAndWritesSidecarsBeside() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.outbox + "/2024/05/inv.edi", "invoice")
        let claim = try XCTUnwrap(try Claim.claim(file: f.outbox + "/2024/05/inv.edi", folders: f))
        let done = try claim.finishSent(sidecar: receipt, rawMDN: Array("raw mdn".utf8))
        XCTAssertEqual(done.destination, .sent)
        XCTAssertEqual(done.path, f.sent + "/2024/05/inv.edi")
        XCTAssertEqual(done.sidecarPath, f.sent + "/2024/05/inv.edi.mdn.json")
        XCTAssertEqual(done.rawMDNPath, f.sent + "/2024/05/inv.edi.mdn")
        XCTAssertEqual(listing(f.sent + "/2024/05"), ["inv.edi", "inv.edi.mdn", "inv.edi.mdn.json"])
        XCTAssertEqual(readText(done.path), "invoice")
        XCTAssertEqual(readText(done.rawMDNPath!), "raw mdn")
        XCTAssertEqual(readText(done.sidecarPath), String(decoding: receipt, as: UTF8.self))
        XCTAssertEqual(listing(f.claims), [])
        XCTAssertEqual(try Claim.list(folders: f), [])
    }

    func testFinishNeverOverwritesAndSkipsNamesWithSidecars() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.sent + "/inv.edi", "earlier")
        try writeFile(f.sent + "/inv-1.edi.mdn.json", "orphan sidecar of someone")
        try writeFile(f.failed + "/report", "earlier")
        var names: [String] = []
        for i in 0..<3 {
            try writeFile(f.outbox + "/inv.edi", "new \(i)")
            let claim = try XCTUnwrap(try Claim.claim(file: f.outbox + "/inv.edi", folders: f))
            names.append(try claim.finishSent(sidecar: receipt, rawMDN: nil).name)
        }
        XCTAssertEqual(names, ["inv-2.edi", "inv-3.edi", "inv-4.edi"])
        XCTAssertEqual(readText(f.sent + "/inv.edi"), "earlier")
        XCTAssertEqual(readText(f.sent + "/inv-1.edi.mdn.json"), "orphan sidecar of someone")
        XCTAssertEqual(readText(f.sent + "/inv-3.edi"), "new 1")
        try writeFile(f.outbox + "/report", "failing")
        let claim = try XCTUnwrap(try Claim.claim(file: f.outbox + "/report", folders: f))
        let failed = try claim.finishFailed(errorSidecar: Data("{}".utf8))
        XCTAssertEqual(failed.name, "report-1")
        XCTAssertEqual(failed.destination, .failed)
        XCTAssertEqual(listing(f.failed), ["report", "report-1", "report-1.error.json"])
        XCTAssertEqual(readText(f.failed + "/report"), "earlier")
    }

    func testTypedSidecarsNameTheDocumentsFinalName() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.sent + "/inv.edi", "earlier")
        try writeFile(f.outbox + "/inv.edi", "new")
        let sent = try XCTUnwrap(try Claim.claim(file: f.outbox + "/inv.edi", folders: f))
            .finishSent(receipt: sampleReceipt(direction: .sent, name: "inv.edi"), rawMDN: [1, 2])
        XCTAssertEqual(sent.name, "inv-1.edi")
        let receipt = try ReceiptSidecar.decode(from: Data(contentsOf: URL(fileURLWithPath: sent.sidecarPath)))
        XCTAssertEqual(receipt.file.name, "inv-1.edi")
        XCTAssertEqual(receipt.file.originalName, "inv.edi")
        XCTAssertEqual(sent.rawMDNPath, f.sent + "/inv-1.edi.mdn")

        try writeFile(f.failed + "/inv.edi", "earlier")
        try writeFile(f.outbox + "/inv.edi", "bad")
        let error = ErrorSidecar(
            messageId: "<m@x>", partner: "acme", file: SidecarFile(name: "inv.edi", originalName: "inv.edi", size: 3, sha256: ""),
            failedAt: Date(), reason: "the partner rejected it", category: .rejected, attempts: 1, lastHttpStatus: 403)
        let failed = try XCTUnwrap(try Claim.claim(file: f.outbox + "/inv.edi", folders: f)).finishFailed(error: error)
        XCTAssertEqual(failed.name, "inv-1.edi")
        let written = try ErrorSidecar.decode(from: Data(contentsOf: URL(fileURLWithPath: failed.sidecarPath)))
        XCTAssertEqual(written.file.name, "inv-1.edi")
        XCTAssertEqual(written.category, .rejected)
    }

    func testNamesTooLongForASidecarAreShortenedNotLost() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let long = String(repeating: "ä", count: 120) + ".edi"  // 244 bytes
        try writeFile(f.outbox + "/" + long, "long")
        let first = try XCTUnwrap(try Claim.claim(file: f.outbox + "/" + long, folders: f))
            .finishSent(receipt: sampleReceipt(direction: .sent, name: long), rawMDN: nil)
        XCTAssertEqual(first.name, long)
        try writeFile(f.outbox + "/" + long, "again")
        let second = try XCTUnwrap(try Claim.claim(file: f.outbox + "/" + long, folders: f))
            .finishFailed(errorSidecar: Data("{}".utf8))
        XCTAssertEqual(second.name, long, "failed/ is another folder")
        try writeFile(f.outbox + "/" + long, "third")
        let third = try XCTUnwrap(try Claim.claim(file: f.outbox + "/" + long, folders: f))
            .finishSent(receipt: sampleReceipt(direction: .sent, name: long), rawMDN: [1])
        XCTAssertTrue(third.name.hasSuffix("-1.edi"))
        XCTAssertLessThanOrEqual(third.name.utf8.count, 244)
        XCTAssertEqual(readText(third.path), "third")
        let receipt = try ReceiptSidecar.decode(from: Data(contentsOf: URL(fileURLWithPath: third.sidecarPath)))
        XCTAssertEqual(receipt.file.originalName, long)
        XCTAssertEqual(DocumentPlacer.candidate(String(repeating: "x", count: 300), 0).utf8.count, 244)
    }

    // MARK: re-running after a crash

    private func claimWithRecordedFinish(_ f: PartnerFolders, destination: String, name: String) throws -> Claim {
        try writeFile(f.outbox + "/sub/doc.edi", "document")
        let claim = try XCTUnwrap(try Claim.claim(file: f.outbox + "/sub/doc.edi", folders: f))
        var manifest = try SidecarCoding.decode(ClaimManifest.self, from: Data(contentsOf: URL(fileURLWithPath: claim.directory + "/.claim.json")))
        manifest.finish = .init(destination: destination, folder: "sub", name: name)
        try AtomicFile.write(Array(try SidecarCoding.encode(manifest)), to: claim.directory + "/.claim.json")
        return claim
    }

    func testRerunAfterSidecarsWereWrittenButTheDocumentNotMoved() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimWithRecordedFinish(f, destination: "sent", name: "doc.edi")
        try writeFile(f.sent + "/sub/doc.edi.mdn.json", "half-written attempt")
        let done = try claim.finishSent(sidecar: receipt, rawMDN: nil)
        XCTAssertEqual(done.name, "doc.edi", "the recorded name is reused, not doc-1.edi")
        XCTAssertEqual(listing(f.sent + "/sub"), ["doc.edi", "doc.edi.mdn.json"])
        XCTAssertEqual(readText(done.sidecarPath), String(decoding: receipt, as: UTF8.self))
        XCTAssertEqual(listing(f.claims), [])
    }

    func testRerunAfterTheDocumentWasLinkedButNotUnlinked() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimWithRecordedFinish(f, destination: "sent", name: "doc.edi")
        try writeFile(f.sent + "/sub/doc.edi.mdn.json", "sidecar")
        XCTAssertEqual(link(claim.path, f.sent + "/sub/doc.edi"), 0)
        let done = try claim.finishSent(sidecar: receipt, rawMDN: nil)
        XCTAssertEqual(done.name, "doc.edi")
        XCTAssertEqual(listing(f.sent + "/sub"), ["doc.edi", "doc.edi.mdn.json"])
        XCTAssertEqual(listing(f.claims), [])
    }

    func testRerunAfterTheDocumentWasMovedOnlyTidiesUp() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimWithRecordedFinish(f, destination: "sent", name: "doc.edi")
        try writeFile(f.sent + "/sub/doc.edi.mdn.json", "sidecar")
        try FileSystem.createDirectory(f.sent + "/sub")
        try FileSystem.rename(claim.path, to: f.sent + "/sub/doc.edi")
        let loaded = try XCTUnwrap(try Claim.load(id: claim.id, folders: f), "journal-driven resume finds it")
        XCTAssertEqual(loaded, claim)
        let done = try loaded.finishSent(sidecar: receipt, rawMDN: nil)
        XCTAssertEqual(done.path, f.sent + "/sub/doc.edi")
        XCTAssertEqual(readText(done.sidecarPath), "sidecar", "finished work is not redone")
        XCTAssertNil(try Claim.load(id: claim.id, folders: f))
        XCTAssertThrowsError(try Claim.load(id: "../x", folders: f))
        XCTAssertEqual(listing(f.claims), [])
        XCTAssertThrowsError(try claim.finishSent(sidecar: receipt, rawMDN: nil)) {
            XCTAssertEqual(($0 as? SpoolError)?.code, .corruptClaim, "a claim that no longer exists")
        }
    }

    func testListTidiesUpClaimsWhoseDocumentWasDelivered() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimWithRecordedFinish(f, destination: "sent", name: "doc.edi")
        try FileSystem.createDirectory(f.sent + "/sub")
        try FileSystem.rename(claim.path, to: f.sent + "/sub/doc.edi")
        XCTAssertEqual(try Claim.list(folders: f), [], "a delivered claim is not pending")
        XCTAssertEqual(listing(f.claims), [], "and list() tidied it up")
    }

    func testRerunWithAnotherOutcomeDropsTheEarlierOrphanSidecars() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let claim = try claimWithRecordedFinish(f, destination: "failed", name: "doc.edi")
        try writeFile(f.failed + "/sub/doc.edi.error.json", "from the interrupted attempt")
        let done = try claim.finishSent(sidecar: receipt, rawMDN: nil)
        XCTAssertEqual(done.path, f.sent + "/sub/doc.edi")
        XCTAssertEqual(listing(f.failed + "/sub"), [])
        XCTAssertEqual(readText(done.path), "document")
    }

    func testListRecoversPendingClaimsAndRemovesStaleOnes() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.outbox + "/a.edi")
        try writeFile(f.outbox + "/b.edi")
        let a = try XCTUnwrap(try Claim.claim(file: f.outbox + "/a.edi", folders: f, now: Date(timeIntervalSince1970: 1_000)))
        let b = try XCTUnwrap(try Claim.claim(file: f.outbox + "/b.edi", folders: f, now: Date(timeIntervalSince1970: 500)))
        // A claim interrupted before its rename: manifest only. Stale after a minute.
        let orphan = f.claims + "/orphan"
        try FileSystem.createDirectory(orphan)
        try AtomicFile.write(Array(try SidecarCoding.encode(ClaimManifest(
            format: 1, id: "orphan", partner: "acme", subpath: "c.edi", claimedAt: Date(timeIntervalSince1970: 0), finish: nil))),
            to: orphan + "/.claim.json")
        // A document without manifest (placed by hand).
        try writeFile(f.claims + "/manual/handmade.edi")
        let now = Date(timeIntervalSince1970: 30)
        XCTAssertEqual(try Claim.list(folders: f, now: now).map(\.id).sorted(), [a.id, b.id, "manual"].sorted())
        XCTAssertTrue(FileSystem.exists(orphan), "young orphan kept: its claim may be in progress")
        let claims = try Claim.list(folders: f, now: Date(timeIntervalSince1970: 5_000))
        XCTAssertFalse(FileSystem.exists(orphan))
        XCTAssertEqual(claims.filter { $0.id != "manual" }.map(\.id), [b.id, a.id], "oldest first")
        let manual = try XCTUnwrap(claims.first { $0.id == "manual" })
        XCTAssertEqual(manual.subpath, "handmade.edi")
        XCTAssertEqual(try manual.finishFailed(errorSidecar: Data("{}".utf8)).path, f.failed + "/handmade.edi")
    }
}
