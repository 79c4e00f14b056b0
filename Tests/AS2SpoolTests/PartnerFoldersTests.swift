import AS2Bytes
import Foundation
import XCTest

@testable import AS2Spool

/// The folders the agent makes at start-up, in the order it makes them: the outbox before
/// watching, the result folders after, the work area when first used.
final class PartnerFoldersTests: XCTestCase {
    private func umaskValue() -> mode_t {
        let old = umask(0)
        umask(old)
        return old
    }

    func testOutboxFirstThenResultFolders() throws {
        let dir = try TestDirectory()
        let f = try PartnerFolders(spoolRoot: dir.path + "/spool/", partner: "acme")
        try f.createOutbox()
        XCTAssertTrue(FileSystem.isDirectory(f.outbox))
        for path in [f.sent, f.failed, f.inbox, f.work] { XCTAssertFalse(FileSystem.exists(path), path) }

        try f.createResultFolders()
        for path in [f.outbox, f.sent, f.failed, f.inbox] {
            XCTAssertTrue(FileSystem.isDirectory(path), path)
            var st = stat()
            XCTAssertEqual(stat(path, &st), 0)
            XCTAssertEqual(st.st_mode & 0o777, 0o750 & ~umaskValue(), path)
        }
        XCTAssertFalse(FileSystem.exists(f.work), "the work area is made by its first user")

        try f.create()
        for path in [f.root, f.work, f.claims, f.tmp] { XCTAssertTrue(FileSystem.isDirectory(path), path) }
        var st = stat()
        XCTAssertEqual(stat(f.work, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o750 & ~umaskValue(), "parents made on the way get the same mode")
    }
}
