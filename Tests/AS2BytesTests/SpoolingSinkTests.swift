import AS2Bytes
import Foundation
import XCTest

final class SpoolingSinkTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("spooling-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func tempFiles() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: directory) }

    /// Over the threshold the bytes go to a temp file, which stays (named) while the source lives,
    /// can be linked elsewhere as a whole, and is removed when the source is released.
    func testASpilledSourceOwnsItsTempFileAndCanBeLinkedWhole() throws {
        let bytes = (0..<5000).map { UInt8($0 % 251) }
        let linked = directory + "/linked.bin"
        do {
            let sink = SpoolingSink(threshold: 1000, directory: directory)
            try sink.write(bytes)
            let source = try sink.source()
            XCTAssertEqual(try source.readAll(), bytes)
            XCTAssertEqual(try tempFiles().count, 1)
            let whole = try XCTUnwrap(FileByteSource.spooledFile(source))
            XCTAssertEqual(FileByteSource.spooledFile(source.slice(0..<source.count)), whole)
            XCTAssertNil(FileByteSource.spooledFile(source.slice(1..<source.count)), "a part of the file is not the whole file")
            XCTAssertTrue(try FileSystem.linkNoReplace(whole, to: linked))
            XCTAssertFalse(try FileSystem.linkNoReplace(whole, to: linked), "an existing name is left alone")
        }
        XCTAssertEqual(try tempFiles(), ["linked.bin"], "the temp name goes with the source; the link stays")
        XCTAssertEqual(try FileByteSource(path: linked).readAll(), bytes)
    }

    /// Under the threshold nothing touches the disk; a file that is not a spool is never offered.
    func testSmallSourcesAndOtherFilesAreNotSpooledFiles() throws {
        let sink = SpoolingSink(threshold: 1000, directory: directory)
        try sink.write([1, 2, 3])
        let source = try sink.source()
        XCTAssertEqual(try source.readAll(), [1, 2, 3])
        XCTAssertNil(FileByteSource.spooledFile(source))
        XCTAssertEqual(try tempFiles(), [])
        let plain = directory + "/plain.bin"
        try AtomicFile.write([9, 9], to: plain)
        XCTAssertNil(FileByteSource.spooledFile(try FileByteSource(path: plain)), "someone else's file")
    }
}
