#if canImport(Glibc)
import Glibc
#endif
import AS2Bytes
import Foundation
import XCTest

@testable import AS2Spool

final class InboxWriterTests: XCTestCase {
    private func folders(_ dir: TestDirectory) throws -> PartnerFolders {
        let f = try PartnerFolders(spoolRoot: dir.path, partner: "acme")
        try f.create()
        return f
    }

    func testDeliversSidecarsAndDocumentWithoutLeftovers() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let doc = try InboxWriter().deliver(
            f, payload: MemoryByteSource("ISA*00*"), filename: "order.edi", sidecar: Data("{\"a\":1}".utf8), rawMDN: Array("mdn".utf8))
        XCTAssertEqual(doc.destination, .inbox)
        XCTAssertEqual(doc.path, f.inbox + "/order.edi")
        XCTAssertEqual(listing(f.inbox), ["order.edi", "order.edi.mdn", "order.edi.mdn.json"])
        XCTAssertEqual(readText(doc.path), "ISA*00*")
        XCTAssertEqual(readText(doc.sidecarPath), "{\"a\":1}")
        XCTAssertEqual(readText(try XCTUnwrap(doc.rawMDNPath)), "mdn")
        XCTAssertEqual(listing(f.tmp), [])
        try InboxWriter().rewriteSidecar(path: doc.sidecarPath, sidecar: Data("{\"a\":2}".utf8))
        XCTAssertEqual(readText(doc.sidecarPath), "{\"a\":2}")
        XCTAssertEqual(listing(f.inbox), ["order.edi", "order.edi.mdn", "order.edi.mdn.json"])
    }

    func testCollisionsGetNumberedNamesAndNothingIsOverwritten() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        try writeFile(f.inbox + "/order.edi", "consumer's copy")
        let writer = InboxWriter()
        let names = try (0..<3).map {
            try writer.deliver(f, payload: MemoryByteSource("v\($0)"), filename: "order.edi", sidecar: Data(), rawMDN: nil).name
        }
        XCTAssertEqual(names, ["order-1.edi", "order-2.edi", "order-3.edi"])
        XCTAssertEqual(readText(f.inbox + "/order.edi"), "consumer's copy")
        XCTAssertEqual(readText(f.inbox + "/order-2.edi"), "v1")
        let plain = try writer.deliver(f, payload: MemoryByteSource("x"), filename: "README", sidecar: Data(), rawMDN: nil)
        let again = try writer.deliver(f, payload: MemoryByteSource("y"), filename: "README", sidecar: Data(), rawMDN: nil)
        XCTAssertEqual([plain.name, again.name], ["README", "README-1"])
    }

    func testTypedReceiptNamesTheDocumentsFinalName() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let writer = InboxWriter()
        var names: [String] = []
        for _ in 0..<2 {
            let doc = try writer.deliver(
                f, payload: MemoryByteSource("x"), filename: "a.mdn", receipt: sampleReceipt(direction: .received, name: "a.mdn"),
                rawMDN: nil)
            XCTAssertNil(doc.rawMDNPath)
            let receipt = try ReceiptSidecar.decode(from: Data(contentsOf: URL(fileURLWithPath: doc.sidecarPath)))
            XCTAssertEqual(receipt.file.name, doc.name)
            XCTAssertEqual(receipt.file.originalName, "a.mdn")
            names.append(doc.name)
        }
        XCTAssertEqual(names, ["a.mdn_", "a-1.mdn_"])
    }

    /// A resend of a message an interrupted run already delivered finds that delivery (by
    /// Message-ID and sha256 in its sidecar), also behind a collision name; others do not.
    func testExistingDeliveryIsFoundByMessageIDAndDigest() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let writer = InboxWriter()
        var other = sampleReceipt(direction: .received, name: "order.edi")
        other.messageId = "<other@test>"
        try writer.deliver(f, payload: MemoryByteSource("x"), filename: "order.edi", receipt: other, rawMDN: nil)
        let mine = sampleReceipt(direction: .received, name: "order.edi")
        let sha = mine.file.sha256
        XCTAssertNil(writer.existingDelivery(f, filename: "order.edi", messageID: "<m-order.edi@test>", sha256: sha))
        let first = try writer.deliver(f, payload: MemoryByteSource("x"), filename: "order.edi", receipt: mine, rawMDN: nil)
        XCTAssertEqual(first.name, "order-1.edi")
        XCTAssertEqual(writer.existingDelivery(f, filename: "order.edi", messageID: "<m-order.edi@test>", sha256: sha)?.path, first.path)
        XCTAssertNil(writer.existingDelivery(f, filename: "order.edi", messageID: "<m-order.edi@test>", sha256: String(repeating: "1", count: 64)))
        XCTAssertNil(writer.existingDelivery(f, filename: "other.edi", messageID: "<m-order.edi@test>", sha256: sha))
    }

    func testManySameNamedDocumentsContinueAfterTheLastNumberAndARecentOneIsFound() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        // Left behind by an earlier run of the agent: order.edi and order-1 … order-40.
        try writeFile(f.inbox + "/order.edi")
        for n in 1...40 { try writeFile(f.inbox + "/order-\(n).edi") }
        let writer = InboxWriter()
        let receipt = sampleReceipt(direction: .received, name: "order.edi")
        XCTAssertNil(writer.existingDelivery(f, filename: "order.edi", messageID: receipt.messageId, sha256: receipt.file.sha256))
        let mine = try writer.deliver(f, payload: MemoryByteSource("x"), filename: "order.edi", receipt: receipt, rawMDN: nil)
        XCTAssertEqual(mine.name, "order-41.edi")
        // A consumer takes some files: the name itself is used again, numbers continue after the last.
        try FileSystem.remove(f.inbox + "/order.edi")
        try FileSystem.remove(f.inbox + "/order-2.edi")
        let names = try (0..<2).map { _ in try writer.deliver(f, payload: MemoryByteSource("y"), filename: "order.edi", sidecar: Data(), rawMDN: nil).name }
        XCTAssertEqual(names, ["order.edi", "order-42.edi"])
        // The interrupted delivery (order-41) is among the latest numbers and is found.
        XCTAssertEqual(writer.existingDelivery(f, filename: "order.edi", messageID: receipt.messageId, sha256: receipt.file.sha256)?.name, "order-41.edi")
    }

    func testNamesThatLookLikeSidecarsOrTempFilesGetASafeSuffix() throws {
        let writer = InboxWriter()
        let cases: [(String, String)] = [
            ("a.mdn", "a.mdn_"), ("a.mdn.json", "a.mdn.json_"), ("b.error.json", "b.error.json_"),
            ("B.MDN", "B.MDN_"), (".profile", "_.profile"), ("x.part", "x.part_"), ("x.tmp", "x.tmp_"),
            ("x.filepart", "x.filepart_"), ("y~", "y~_"), ("", "document"), ("..", "document"),
            ("inv.edi", "inv.edi"), ("report.json", "report.json"), ("a/b", "a_b"),
        ]
        for (given, expected) in cases { XCTAssertEqual(writer.safeName(given), expected, given) }
        let dir = try TestDirectory()
        let f = try folders(dir)
        let doc = try writer.deliver(f, payload: MemoryByteSource("x"), filename: "evil.mdn.json", sidecar: Data("{}".utf8), rawMDN: nil)
        XCTAssertEqual(listing(f.inbox), ["evil.mdn.json_", "evil.mdn.json_.mdn.json"])
        XCTAssertEqual(doc.name, "evil.mdn.json_")
        XCTAssertFalse(IgnoreRules.standard.ignores(name: doc.name))
    }

    /// 50 deliveries of one name at once, while a reader polls the inbox: every document it sees
    /// is complete and already has its sidecar, and all 50 arrive under distinct names.
    func testConcurrentDeliveriesNeverShowAPartialDocumentOrOneWithoutItsSidecar() async throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let count = 50
        let size = 96 * 1024
        let stop = Locked(false)
        let problems = Locked<[String]>([])
        let seen = Locked(0)
        let inbox = f.inbox
        let reader = Thread {
            while !stop.withLock({ $0 }) {
                // A consumer following the contract skips sidecars and ignored (temp) names.
                for name in listing(inbox)
                where !name.hasSuffix(".mdn.json") && !name.hasSuffix(".mdn") && !IgnoreRules.standard.ignores(name: name) {
                    guard let content = FileManager.default.contents(atPath: inbox + "/" + name) else { continue }
                    guard let sidecar = FileManager.default.contents(atPath: inbox + "/" + name + ".mdn.json") else {
                        problems.withLock { $0.append("\(name) without sidecar") }
                        continue
                    }
                    let expected = String(decoding: sidecar, as: UTF8.self)
                    let firstByte = content.first.map { String($0) } ?? "none"
                    if content.count != size || expected != "{\"byte\":\(firstByte)}" || Set(content).count != 1 {
                        problems.withLock { $0.append("\(name): \(content.count) bytes, sidecar \(expected)") }
                    }
                    seen.withLock { $0 += 1 }
                }
            }
        }
        reader.start()
        let writer = InboxWriter()
        // One thread per delivery, so all 50 really overlap (the task pool has only a core or two).
        let results = Locked<[String]>([])
        for i in 0..<count {
            Thread {
                let byte = UInt8(i)
                let name: String
                do {
                    name = try writer.deliver(
                        f, payload: MemoryByteSource([UInt8](repeating: byte, count: size)), filename: "same.edi",
                        sidecar: Data("{\"byte\":\(byte)}".utf8), rawMDN: Array("mdn \(i)".utf8)).name
                } catch {
                    name = "error: \(error)"
                }
                results.withLock { $0.append(name) }
            }.start()
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while results.withLock({ $0.count }) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let names = results.withLock { $0 }
        try await Task.sleep(for: .milliseconds(50))
        stop.withLock { $0 = true }
        XCTAssertEqual(Set(names).count, count)
        XCTAssertEqual(Set(names), Set(["same.edi"] + (1..<count).map { "same-\($0).edi" }))
        XCTAssertEqual(listing(f.inbox).count, count * 3)
        XCTAssertEqual(listing(f.tmp), [])
        XCTAssertEqual(problems.withLock { $0 }, [])
        XCTAssertGreaterThan(seen.withLock { $0 }, 0, "the reader looked at documents")
        for name in names {
            let content = try XCTUnwrap(FileManager.default.contents(atPath: f.inbox + "/" + name))
            XCTAssertEqual(readText(f.inbox + "/" + name + ".mdn.json"), "{\"byte\":\(content[0])}")
            XCTAssertEqual(readText(f.inbox + "/" + name + ".mdn"), "mdn \(content[0])")
        }
    }

    func testStaleTemporaryFilesAreRemovedAndFreshOnesKept() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let old = [f.tmp + "/in-1.part", f.inbox + "/.tmp-1-2-x.part", f.sent + "/2024/.tmp-3-4-y.part", f.inbox + "/.as2-in-5.part"]
        let kept = [f.inbox + "/.tmp-fresh.part", f.inbox + "/.user-file.part", f.inbox + "/doc.edi", f.tmp + "/in-fresh.part"]
        for path in old + kept { try writeFile(path) }
        for path in old + [f.inbox + "/.user-file.part"] {
            var times = [timespec(tv_sec: 1_000, tv_nsec: 0), timespec(tv_sec: 1_000, tv_nsec: 0)]
            XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        }
        XCTAssertEqual(Set(try f.removeStaleTemporaryFiles(olderThan: 3600)), Set(old))
        for path in old { XCTAssertFalse(FileSystem.exists(path), path) }
        for path in kept { XCTAssertTrue(FileSystem.exists(path), path) }
    }

    func testStreamsAFilePayload() throws {
        let dir = try TestDirectory()
        let f = try folders(dir)
        let source = dir.sub("payload.bin")
        let bytes = (0..<(700 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(bytes, to: source)
        let doc = try InboxWriter().deliver(f, payload: try FileByteSource(path: source), filename: "big.bin", sidecar: Data(), rawMDN: nil)
        XCTAssertEqual(FileManager.default.contents(atPath: doc.path).map(Array.init), bytes)
    }
}
