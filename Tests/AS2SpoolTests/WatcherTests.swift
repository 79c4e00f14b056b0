#if canImport(Glibc)
import Glibc
#endif
import AS2Bytes
import Foundation
import XCTest

@testable import AS2Spool

/// The `Watcher` actor with the real program (and a scripted stand-in for overflow).
final class WatcherTests: XCTestCase {
    private func startWatcher(
        _ dirs: [String], executable: String? = nil
    ) async throws -> (Watcher, Recorder<WatchEvent>, Task<Void, any Error>) {
        let watcher = Watcher(
            directories: dirs,
            configuration: .init(executable: try executable ?? watchProgram(), restartDelay: .milliseconds(300)),
            logger: testLogger)
        let recorder = Recorder<WatchEvent>()
        await recorder.start(watcher.events)
        let task = Task { try await watcher.run() }
        addTeardownBlock { task.cancel() }
        return (watcher, recorder, task)
    }

    private static func fileEvents(_ events: [WatchEvent]) -> [String] {
        events.compactMap { if case let .fileReady(path) = $0 { return path } else { return nil } }
    }

    func testReportsCompleteFilesAndSkipsIgnoredNames() async throws {
        let dir = try TestDirectory()
        let outbox = dir.sub("outbox")
        try FileSystem.createDirectory(outbox)
        let (_, recorder, _) = try await startWatcher([outbox])
        await recorder.wait("ready") { $0.contains(.ready) }
        try writeFile(outbox + "/.hidden")
        try writeFile(outbox + "/upload.part")
        try writeFile(outbox + "/upload.FILEPART")
        try writeFile(outbox + "/edit~")
        try writeFile(outbox + "/c.tmp")
        try FileSystem.rename(outbox + "/c.tmp", to: outbox + "/c.edi")
        try FileSystem.createDirectory(outbox + "/.git")
        try writeFile(outbox + "/.git/config")
        try FileSystem.createDirectory(outbox + "/.as2")
        try writeFile(outbox + "/.as2/x")
        try writeFile(outbox + "/looks-like.mdn.json")
        try writeFile(outbox + "/a.edi")
        let wanted = ["c.edi", "looks-like.mdn.json", "a.edi"].map { outbox + "/" + $0 }
        await recorder.wait("the three real documents") { e in wanted.allSatisfy { Self.fileEvents(e).contains($0) } }
        // Events arrive in order: once a.edi (written last) is in, every earlier one was seen.
        let items = await recorder.items
        XCTAssertEqual(Set(Self.fileEvents(items)), Set(wanted))
        XCTAssertFalse(items.contains(.newDirectory(path: outbox + "/.git")))
    }

    func testFilesWrittenRightAfterMkdirAreFoundThroughNewDirectoryRescan() async throws {
        let dir = try TestDirectory()
        let outbox = dir.sub("outbox")
        try FileSystem.createDirectory(outbox)
        let (_, recorder, _) = try await startWatcher([outbox])
        await recorder.wait("ready") { $0.contains(.ready) }
        var expected: [String] = []
        for i in 0..<20 {
            let sub = outbox + "/batch\(i)/inner"
            try FileSystem.createDirectory(sub)
            try writeFile(sub + "/doc.edi")
            expected.append(sub + "/doc.edi")
        }
        let newDirs = expected.map { FileSystem.parentPath(FileSystem.parentPath($0)) }
        await recorder.wait("NEWDIR for every batch folder") { e in newDirs.allSatisfy { e.contains(.newDirectory(path: $0)) } }
        let feed = OutboxFeed()
        var found = Set<String>()
        for event in await recorder.items { found.formUnion(feed.files(for: event, outboxes: [outbox])) }
        XCTAssertEqual(found, Set(expected), "events plus NEWDIR rescans find every file")
    }

    func testOverflowLineLeadsToARescan() async throws {
        let dir = try TestDirectory()
        let outbox = dir.sub("outbox")
        try writeFile(outbox + "/missed.edi")
        try FileSystem.createDirectory(outbox + "/sub")
        try writeFile(outbox + "/sub/missed-too.edi")
        try writeFile(outbox + "/.ignored")
        // A stand-in program that reports an overflow, then waits for stdin like the real one.
        let script = dir.sub("fake-watch")
        try writeFile(script, "#!/bin/sh\necho READY\necho OVERFLOW\nexec cat >/dev/null\n")
        XCTAssertEqual(chmod(script, 0o755), 0)
        let (_, recorder, _) = try await startWatcher([outbox], executable: script)
        await recorder.wait("overflow") { $0 == [.ready, .overflow] }
        XCTAssertEqual(
            OutboxFeed().files(for: .overflow, outboxes: [outbox]).sorted(),
            [outbox + "/missed.edi", outbox + "/sub/missed-too.edi"])
    }

    func testKilledProgramIsRestartedAndFilesDroppedMeanwhileAreRescanned() async throws {
        let dir = try TestDirectory()
        let outbox = dir.sub("outbox")
        try FileSystem.createDirectory(outbox)
        let (watcher, recorder, _) = try await startWatcher([outbox])
        await recorder.wait("ready") { $0.contains(.ready) }
        let firstPIDValue = await watcher.programPID
        let firstPID = try XCTUnwrap(firstPIDValue)
        XCTAssertEqual(kill(firstPID, SIGKILL), 0)
        try writeFile(outbox + "/dropped-while-down.edi")
        await recorder.wait("needsRescan after restart") { $0.contains(.needsRescan) }
        let secondPIDValue = await watcher.programPID
        let secondPID = try XCTUnwrap(secondPIDValue)
        XCTAssertNotEqual(firstPID, secondPID)
        XCTAssertTrue(OutboxFeed().files(for: .needsRescan, outboxes: [outbox]).contains(outbox + "/dropped-while-down.edi"))
        // The new program watches as before.
        try writeFile(outbox + "/after.edi")
        await recorder.wait("event from the restarted program") { Self.fileEvents($0).contains(outbox + "/after.edi") }
    }

    func testReloadWatchesTheNewFolderList() async throws {
        let dir = try TestDirectory()
        let first = dir.sub("a/outbox")
        let second = dir.sub("b/outbox")
        try FileSystem.createDirectory(first)
        try FileSystem.createDirectory(second)
        let (watcher, recorder, _) = try await startWatcher([first])
        await recorder.wait("ready") { $0.contains(.ready) }
        let firstPID = await watcher.programPID
        await watcher.reload(directories: [second])
        await recorder.wait("ready again") { $0.filter { $0 == .ready }.count == 2 }
        let secondPID = await watcher.programPID
        XCTAssertNotEqual(firstPID, secondPID)
        try writeFile(first + "/old.edi")
        try writeFile(second + "/new.edi")
        await recorder.wait("event from the new list") { Self.fileEvents($0).contains(second + "/new.edi") }
        let items = await recorder.items
        XCTAssertFalse(Self.fileEvents(items).contains(first + "/old.edi"))
    }

    func testRunEndsAndStopsTheProgramWhenCancelled() async throws {
        let dir = try TestDirectory()
        let (watcher, recorder, task) = try await startWatcher([dir.path])
        await recorder.wait("ready") { $0.contains(.ready) }
        let pidValue = await watcher.programPID
        let pid = try XCTUnwrap(pidValue)
        task.cancel()
        _ = try? await task.value
        // The program gets SIGTERM and stdin EOF; it is reaped by its reader thread.
        let deadline = ContinuousClock.now + .seconds(5)
        while kill(pid, 0) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertNotEqual(kill(pid, 0), 0, "program still running")
    }

    func testProgramLocationHonoursTheEnvironmentAndSkipsMissingFiles() throws {
        XCTAssertEqual(try Watcher.locateProgram(environment: ["AS2_AGENT_WATCH": "/bin/true"]), "/bin/true")
        // A missing explicit path is skipped in favour of the one next to the test executable.
        let found = try Watcher.locateProgram(environment: ["AS2_AGENT_WATCH": "/nonexistent/as2-agent-watch"])
        XCTAssertTrue(found.hasSuffix("/as2-agent-watch"))
        XCTAssertNotEqual(found, "/nonexistent/as2-agent-watch")
    }
}
