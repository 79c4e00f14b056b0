import AS2Bytes
import Foundation
import XCTest

@testable import AS2Spool

/// `InboxWriter.stage` / `place`: the same result as `deliver`, in steps whose fsyncs can overlap.
final class StagedDeliveryTests: XCTestCase {
    private func folders(_ dir: TestDirectory) throws -> PartnerFolders {
        let f = try PartnerFolders(spoolRoot: dir.path, partner: "acme")
        try f.create()
        return f
    }

    func testNothingVisibleUntilPlacedThenDocumentAndSidecarsWithoutLeftovers() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let writer = InboxWriter()
        let staged = try writer.stage(
            f, payload: MemoryByteSource("ISA*00*"), filename: "order.edi", receipt: sampleReceipt(direction: .received, name: "x"),
            rawMDN: Array("mdn".utf8))
        XCTAssertEqual(staged.name, "order.edi")
        XCTAssertEqual(listing(f.inbox).filter { !$0.hasPrefix(".") }, [], "only dot temp names before place")
        XCTAssertEqual(staged.unsyncedPaths.count, 3)
        for path in staged.unsyncedPaths { try FileSystem.syncFile(path) }
        let doc = try writer.place(staged)
        XCTAssertEqual(listing(f.inbox), ["order.edi", "order.edi.mdn", "order.edi.mdn.json"])
        XCTAssertEqual(readText(doc.path), "ISA*00*")
        XCTAssertEqual(readText(try XCTUnwrap(doc.rawMDNPath)), "mdn")
        let receipt = try ReceiptSidecar.decode(from: Data(contentsOf: URL(fileURLWithPath: doc.sidecarPath)))
        XCTAssertEqual(receipt.file.name, "order.edi", "the sidecar names the final document")
        XCTAssertEqual(listing(f.tmp), [])
    }

    func testANameTakenAfterStagingFallsBackToTheNextFreeName() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let writer = InboxWriter()
        let staged = try writer.stage(
            f, payload: MemoryByteSource("mine"), filename: "order.edi", receipt: sampleReceipt(direction: .received, name: "x"), rawMDN: nil)
        try writeFile(f.inbox + "/order.edi", "consumer's copy")  // another writer was faster
        let doc = try writer.place(staged)
        XCTAssertEqual(doc.name, "order-1.edi")
        XCTAssertEqual(readText(f.inbox + "/order.edi"), "consumer's copy")
        XCTAssertEqual(readText(doc.path), "mine")
        let receipt = try ReceiptSidecar.decode(from: Data(contentsOf: URL(fileURLWithPath: doc.sidecarPath)))
        XCTAssertEqual(receipt.file.name, "order-1.edi")
        XCTAssertEqual(listing(f.inbox), ["order-1.edi", "order-1.edi.mdn.json", "order.edi"], "no temp or orphan sidecar left")
        XCTAssertEqual(listing(f.tmp), [])
    }

    func testDiscardRemovesTheTempFiles() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let staged = try InboxWriter().stage(
            f, payload: MemoryByteSource("x"), filename: "a.bin", receipt: sampleReceipt(direction: .received, name: "x"), rawMDN: [1])
        staged.discard()
        XCTAssertEqual(listing(f.inbox), [])
        XCTAssertEqual(listing(f.tmp), [])
    }
}
