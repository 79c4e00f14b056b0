import AS2Bytes
import Foundation
import XCTest

@testable import AS2Agent

final class AgentDirectoriesTests: XCTestCase {
    /// After a crash: old spooled temp files in work/ and http-spool/ and an unfinished evidence
    /// copy are removed at start; fresh ones (a CLI command may be using them) and everything
    /// else stay.
    func testStaleTempFilesAreRemovedAndEverythingElseKept() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("agentdirs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let directories = AgentDirectories(state: state)
        try directories.create()
        try FileSystem.createDirectory(directories.evidence + "/2026-11-29")
        let old = Date(timeIntervalSinceNow: -7200)
        func make(_ path: String, modified: Date) throws {
            try AtomicFile.write([1], to: path)
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        }
        let stale = [
            directories.work + "/tmp-old", directories.httpSpool + "/tmp-old-body",
            directories.evidence + "/2026-11-29/.tmp-abc.part",
        ]
        let kept = [
            directories.work + "/tmp-fresh", directories.outbound + "/7.body",
            directories.evidence + "/2026-11-29/ab12.signed-entity.mime", directories.work + "/notes.txt",
        ]
        for path in stale { try make(path, modified: old) }
        for path in kept { try make(path, modified: path.hasSuffix("tmp-fresh") ? Date() : old) }
        XCTAssertEqual(Set(directories.removeStaleTemporaryFiles()), Set(stale))
        for path in stale { XCTAssertFalse(FileSystem.exists(path), path) }
        for path in kept { XCTAssertTrue(FileSystem.exists(path), path) }
    }
}
