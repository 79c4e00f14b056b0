#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import XCTest

/// Issue 5: two agent processes on loopback exchange files only through their folders.
final class FolderExchangeTests: FolderTestCase {
    /// 0 B, 1 KiB and 5 MiB files, a file in a new subfolder and one renamed in arrive whole in
    /// GLOBEX's inbox with their sidecars; ACME's sent/ keeps the subpath and the receipts;
    /// temp and dot files stay where they are.
    func testFilesOfEverySizeSubfolderAndRenameArriveWithReceipts() throws {
        let (acme, globex) = try pair()
        let a = try start(acme)
        let g = try start(globex)
        let outbox = acme.outbox("globex")
        let ignored = [".hidden", "draft.tmp", "upload.part", "Upload.PART", "notes~", "big.filepart"]
        for name in ignored { try Data("not yet".utf8).write(to: URL(fileURLWithPath: outbox + "/" + name)) }
        var expected: [String: Data] = [
            "empty.bin": Data(), "one-kib.edi": FolderSupport.payload(size: 1024, seed: 1),
            "five-mib.bin": FolderSupport.payload(size: 5 << 20, seed: 2),
        ]
        for (name, data) in expected { try FolderSupport.drop(data, named: name, into: outbox) }
        // Written in place right after its (new) folder is created.
        let deep = FolderSupport.payload(size: 300, seed: 3)
        try FileManager.default.createDirectory(atPath: outbox + "/2024/05", withIntermediateDirectories: true)
        try deep.write(to: URL(fileURLWithPath: outbox + "/2024/05/inv.edi"))
        expected["inv.edi"] = deep
        // Renamed in from outside the outbox (same filesystem).
        let renamed = FolderSupport.payload(size: 2048, seed: 4)
        try renamed.write(to: URL(fileURLWithPath: directory + "/outside.dat"))
        XCTAssertEqual(rename(directory + "/outside.dat", outbox + "/renamed.dat"), 0)
        expected["renamed.dat"] = renamed

        let inbox = globex.inbox("acme")
        try expect(within: 60, "five documents in GLOBEX's inbox and ACME's sent/", agents: [a, g]) {
            FolderSupport.documents(in: inbox).count == 5 && FolderSupport.documents(in: acme.sent("globex")).count == 5
        }
        XCTAssertEqual(Set(FolderSupport.documents(in: inbox)), Set(expected.keys))
        for (name, data) in expected {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: inbox + "/" + name)), data, name)
            let received = try FolderSupport.json(inbox + "/" + name + ".mdn.json")
            XCTAssertEqual(received["direction"] as? String, "received")
            XCTAssertEqual((received["file"] as? [String: Any])?["size"] as? Int, data.count)
        }
        let sent = acme.sent("globex")
        XCTAssertEqual(Set(FolderSupport.documents(in: sent)), ["empty.bin", "one-kib.edi", "five-mib.bin", "2024/05/inv.edi", "renamed.dat"])
        for name in FolderSupport.documents(in: sent) {
            let sidecar = try FolderSupport.json(sent + "/" + name + ".mdn.json")
            let mdn = sidecar["mdn"] as? [String: Any]
            XCTAssertEqual(sidecar["direction"] as? String, "sent", name)
            XCTAssertEqual(mdn?["disposition_type"] as? String, "processed", name)
            XCTAssertEqual(mdn?["signature_verified"] as? Bool, true, name)
            XCTAssertEqual(mdn?["mic_matched"] as? Bool, true, name)
            XCTAssertTrue(FileManager.default.fileExists(atPath: sent + "/" + name + ".mdn"), "raw receipt of \(name)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sent + "/2024/05/inv.edi")), deep)
        XCTAssertEqual(FolderSupport.files(in: acme.failed("globex")), [])
        // Ignored names are still waiting, untouched.
        let left = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0 != ".as2" }
        XCTAssertEqual(Set(left), Set(ignored + ["2024"]))
    }

    /// 500 small files renamed into the outbox at once all arrive exactly once.
    func testFiveHundredFilesDroppedAtOnceArriveExactlyOnce() throws {
        let (acme, globex) = try pair(acme: ["send_concurrency": "8"])
        let a = try start(acme)
        let g = try start(globex)
        let staging = directory + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for i in 0..<500 { try Data("file \(i)\n".utf8).write(to: URL(fileURLWithPath: staging + "/f\(i).txt")) }
        for i in 0..<500 { XCTAssertEqual(rename(staging + "/f\(i).txt", acme.outbox("globex") + "/f\(i).txt"), 0) }
        try expect(within: 150, "500 files in sent/ and inbox/", agents: [a, g]) {
            FolderSupport.documents(in: acme.sent("globex")).count == 500 && FolderSupport.documents(in: globex.inbox("acme")).count == 500
        }
        let inbox = globex.inbox("acme")
        XCTAssertEqual(Set(FolderSupport.documents(in: inbox)), Set((0..<500).map { "f\($0).txt" }))
        for i in stride(from: 0, to: 500, by: 37) {
            XCTAssertEqual(try String(contentsOfFile: inbox + "/f\(i).txt", encoding: .utf8), "file \(i)\n")
        }
        XCTAssertEqual(FolderSupport.files(in: inbox).filter { $0.hasSuffix(".mdn.json") }.count, 500)
        XCTAssertEqual(FolderSupport.files(in: acme.sent("globex")).filter { $0.hasSuffix(".mdn.json") }.count, 500)
    }

    /// A file written slowly in place is sent only once closed, whole.
    func testSlowlyWrittenFileIsNeverSentHalfWritten() throws {
        let (acme, globex) = try pair()
        let a = try start(acme)
        let g = try start(globex)
        let path = acme.outbox("globex") + "/slow.edi"
        let whole = FolderSupport.payload(size: 12 * 8192, seed: 9)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o640)
        XCTAssertGreaterThanOrEqual(fd, 0)
        for i in 0..<12 {
            let chunk = whole.subdata(in: (i * 8192)..<((i + 1) * 8192))
            _ = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            usleep(150_000)
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "claimed while still being written (chunk \(i))")
        }
        close(fd)
        let received = globex.inbox("acme") + "/slow.edi"
        // The sidecar is in place before the document appears: wait for the document.
        try expect(within: 30, "slow.edi received", agents: [a, g]) { FileManager.default.fileExists(atPath: received) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: received)), whole)
        XCTAssertEqual(FolderSupport.documents(in: globex.inbox("acme")), ["slow.edi"])
    }

    /// Three documents with the same name, sent at the same moment from three subfolders, land
    /// in the inbox as name, name-1, name-2, each with its own sidecar.
    func testNameCollisionsInInboxGetNumberedSuffixes() throws {
        let (acme, globex) = try pair()
        let a = try start(acme)
        let g = try start(globex)
        var contents: Set<Data> = []
        for (i, folder) in ["a", "b", "c"].enumerated() {
            let data = Data("copy \(folder)\n".utf8)
            contents.insert(data)
            try FolderSupport.drop(data, named: "\(folder)/order.edi", into: acme.outbox("globex"))
            _ = i
        }
        let inbox = globex.inbox("acme")
        try expect(within: 30, "three documents in the inbox", agents: [a, g]) {
            FolderSupport.documents(in: acme.sent("globex")).count == 3 && FolderSupport.documents(in: inbox).count == 3
        }
        XCTAssertEqual(FolderSupport.documents(in: inbox), ["order-1.edi", "order-2.edi", "order.edi"])
        var seen: Set<Data> = []
        for name in FolderSupport.documents(in: inbox) {
            seen.insert(try Data(contentsOf: URL(fileURLWithPath: inbox + "/" + name)))
            let sidecar = try FolderSupport.json(inbox + "/" + name + ".mdn.json")
            XCTAssertEqual((sidecar["file"] as? [String: Any])?["name"] as? String, name)
            XCTAssertEqual((sidecar["file"] as? [String: Any])?["original_name"] as? String, "order.edi")
        }
        XCTAssertEqual(seen, contents)
        XCTAssertEqual(FolderSupport.documents(in: acme.sent("globex")), ["a/order.edi", "b/order.edi", "c/order.edi"])
    }

    /// A reader polling GLOBEX's inbox while documents arrive never sees a partial document or
    /// a document without its sidecar.
    func testInboxNeverShowsPartialDocumentOrMissingSidecar() throws {
        let (acme, globex) = try pair()
        let a = try start(acme)
        let g = try start(globex)
        var sizes: [String: Int] = [:]
        for i in 0..<40 { sizes["doc\(i).bin"] = i % 8 == 0 ? 1 << 20 : 700 + i }
        let inbox = globex.inbox("acme")
        let reader = FolderInboxReader(inbox: inbox, sizes: sizes)
        reader.start()
        defer { reader.stop() }
        for (name, size) in sizes.sorted(by: { $0.key < $1.key }) {
            try FolderSupport.drop(FolderSupport.payload(size: size, seed: size), named: name, into: acme.outbox("globex"))
        }
        try expect(within: 60, "40 documents received", agents: [a, g]) { FolderSupport.documents(in: inbox).count == 40 }
        reader.stop()
        XCTAssertEqual(reader.violations, [])
        XCTAssertGreaterThan(reader.looks, 20, "the reader looked often enough")
    }
}

/// Polls an inbox on its own thread and records every document it saw without its sidecar or
/// with a size other than the final one.
final class FolderInboxReader: Sendable {
    private struct State {
        var running = true
        var violations: [String] = []
        var looks = 0
    }

    let inbox: String
    let sizes: [String: Int]
    private let state = Mutex(State())
    private let done = Mutex(false)

    init(inbox: String, sizes: [String: Int]) {
        self.inbox = inbox
        self.sizes = sizes
    }

    var violations: [String] { state.withLock { $0.violations } }
    var looks: Int { state.withLock { $0.looks } }

    func start() {
        let thread = Thread { [self] in
            while state.withLock({ $0.running }) {
                look()
                usleep(2_000)
            }
            done.withLock { $0 = true }
        }
        thread.start()
    }

    func stop() {
        state.withLock { $0.running = false }
        _ = FolderSupport.wait(timeout: 5) { done.withLock { $0 } }
    }

    private func look() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? []
        var problems: [String] = []
        for name in names where sizes[name] != nil {
            let path = inbox + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { continue }
            if (attributes[.size] as? Int) != sizes[name] { problems.append("\(name): size \(attributes[.size] ?? "?")") }
            if !FileManager.default.fileExists(atPath: path + ".mdn.json") { problems.append("\(name): no sidecar") }
        }
        state.withLock {
            $0.looks += 1
            $0.violations += problems
        }
    }
}
