import AS2Bytes
import XCTest

final class ByteSourceTests: XCTestCase {
    func testConcatenationReadsAcrossPartBoundaries() throws {
        let c = ConcatenatedByteSource([MemoryByteSource("abc"), MemoryByteSource(""), MemoryByteSource("defgh")])
        XCTAssertEqual(c.count, 8)
        XCTAssertEqual(try c.read(at: 2, length: 3), Array("cde".utf8))
        XCTAssertEqual(try c.read(at: 0, length: 100), Array("abcdefgh".utf8))
        XCTAssertEqual(try c.read(at: 8, length: 1), [])
        for i in 0..<8 { XCTAssertEqual(try c.read(at: i, length: 1), [Array("abcdefgh".utf8)[i]]) }
    }

    func testSliceOfSliceRefersToOriginal() throws {
        let m = MemoryByteSource("0123456789")
        let s = m.slice(2..<9).slice(1..<4)
        XCTAssertEqual(try s.readAll(), Array("345".utf8))
        XCTAssertTrue(s.base is MemoryByteSource)
    }

    func testAtomicWriteIsWholeAndNoReplaceRefuses() throws {
        let dir = NSTemporaryDirectory() + "as2bytes-\(UUID().uuidString)"
        try FileSystem.createDirectory(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/doc.edi"
        let payload = (0..<300_000).map { UInt8($0 % 251) }
        try AtomicFile.write(payload, to: target)
        XCTAssertEqual(try FileByteSource(path: target).readAll(), payload)
        XCTAssertThrowsError(try AtomicFile.write([1], to: target, replace: false))
        XCTAssertEqual(try FileByteSource(path: target).count, payload.count)
        // No temp files left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["doc.edi"])
    }

    func testTemporaryFileIsRemovedWhenReleased() throws {
        let dir = NSTemporaryDirectory() + "as2bytes-\(UUID().uuidString)"
        var path = ""
        do {
            let t = try TemporaryFile(in: dir)
            path = t.path
            let sink = try t.sink()
            try sink.write("hello")
            try sink.close()
            XCTAssertEqual(try t.source().readAll(), Array("hello".utf8))
        }
        XCTAssertFalse(FileSystem.exists(path))
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testFileSinkEnforcesLimit() throws {
        let dir = NSTemporaryDirectory() + "as2bytes-\(UUID().uuidString)"
        try FileSystem.createDirectory(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = try FileSink(path: dir + "/x", limit: 10)
        try sink.write(Array(repeating: 1, count: 10))
        XCTAssertThrowsError(try sink.write([1])) { XCTAssertEqual($0 as? ByteError, .tooLarge(size: 11, limit: 10)) }
    }
}
