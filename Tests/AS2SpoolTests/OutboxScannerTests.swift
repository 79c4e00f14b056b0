#if canImport(Glibc)
import Glibc
#endif
import AS2Bytes
import Foundation
import XCTest

@testable import AS2Spool

final class OutboxScannerTests: XCTestCase {
    private func setModified(_ path: String, _ seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW), 0)
    }

    func testFindsRegularFilesRecursivelyOldestFirstAndAppliesTheRules() throws {
        let dir = try TestDirectory()
        let outbox = dir.sub("outbox")
        try writeFile(outbox + "/new.edi")
        try writeFile(outbox + "/2024/03/old.edi")
        try writeFile(outbox + "/2024/middle.xml")
        try writeFile(outbox + "/x.mdn.json")
        for ignored in [".hidden", "a.tmp", "b.part", "c.filepart", "d~", ".sync/e.edi", ".as2/claims/1/f.edi", "g.TMP"] {
            try writeFile(outbox + "/" + ignored)
        }
        XCTAssertEqual(symlink(outbox + "/new.edi", outbox + "/link.edi"), 0)
        XCTAssertEqual(mkfifo(outbox + "/pipe", 0o600), 0)
        setModified(outbox + "/2024/03/old.edi", 1_000)
        setModified(outbox + "/2024/middle.xml", 2_000)
        setModified(outbox + "/x.mdn.json", 2_000)
        setModified(outbox + "/new.edi", 3_000)

        let files = try OutboxScanner().scan(outbox: outbox + "/")
        XCTAssertEqual(files.map(\.subpath), ["2024/03/old.edi", "2024/middle.xml", "x.mdn.json", "new.edi"])
        XCTAssertEqual(files.first?.path, outbox + "/2024/03/old.edi")
        XCTAssertEqual(files.first?.size, 4)
        XCTAssertEqual(files.first?.modified, 1_000 * 1_000_000_000)
    }

    func testScansOneSubfolderWithOutboxRelativeSubpaths() throws {
        let dir = try TestDirectory()
        let outbox = dir.sub("outbox")
        try writeFile(outbox + "/top.edi")
        try writeFile(outbox + "/sub/a.edi")
        try writeFile(outbox + "/sub/deeper/b.edi")
        try writeFile(outbox + "/.hidden/c.edi")
        let scanner = OutboxScanner()
        XCTAssertEqual(Set(try scanner.scan(directory: outbox + "/sub", inOutbox: outbox).map(\.subpath)), ["sub/a.edi", "sub/deeper/b.edi"])
        XCTAssertEqual(try scanner.scan(directory: outbox + "/.hidden", inOutbox: outbox), [])
        XCTAssertThrowsError(try scanner.scan(directory: dir.path, inOutbox: outbox))
        XCTAssertThrowsError(try scanner.scan(outbox: dir.sub("missing")))
    }

    func testCustomRulesAndNamesThatAreNotUTF8() throws {
        let dir = try TestDirectory()
        let outbox = dir.sub("outbox")
        try writeFile(outbox + "/a.edi")
        try writeFile(outbox + "/a.inprogress")
        try writeFile(outbox + "/.visible-with-custom-rules")
        let raw: [UInt8] = Array((outbox + "/bad-").utf8) + [0xff, 0]
        let fd = raw.withUnsafeBufferPointer { $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { open($0, O_CREAT | O_WRONLY, 0o644) } }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        let rules = IgnoreRules(prefixes: ["~"], suffixes: [".inprogress"])
        XCTAssertEqual(Set(try OutboxScanner(rules: rules).scan(outbox: outbox).map(\.subpath)), ["a.edi", ".visible-with-custom-rules"])
        XCTAssertTrue(rules.ignores(relativePath: "x/.as2/y"), "the work area is always ignored")
        XCTAssertFalse(IgnoreRules.standard.ignores(relativePath: "2024/inv.edi"))
        XCTAssertTrue(IgnoreRules.standard.ignores(relativePath: "2024.part/inv.edi"))
    }
}
