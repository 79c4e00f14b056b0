#if canImport(Glibc)
import Glibc
#endif
import AS2Bytes
import Foundation
import XCTest

@testable import AS2Spool

/// Runs the real `as2-agent-watch` and checks its line protocol byte for byte.
final class WatchProgramTests: XCTestCase {
    private func start(_ dirs: [String]) throws -> (WatchProcess, Recorder<WatchProcess.Output>) {
        let (stream, sink) = AsyncStream.makeStream(of: WatchProcess.Output.self)
        let recorder = Recorder<WatchProcess.Output>()
        let process = try WatchProcess(executable: try watchProgram(), directories: dirs, generation: 1, sink: sink, logger: testLogger)
        addTeardownBlock { process.stop() }
        Task { await recorder.start(stream) }
        return (process, recorder)
    }

    private static func files(_ outputs: [WatchProcess.Output]) -> [[UInt8]] {
        outputs.compactMap { if case let .line(_, .file(path)) = $0 { return path } else { return nil } }
    }

    private static func newDirectories(_ outputs: [WatchProcess.Output]) -> [[UInt8]] {
        outputs.compactMap { if case let .line(_, .newDirectory(path)) = $0 { return path } else { return nil } }
    }

    private static func isReady(_ outputs: [WatchProcess.Output]) -> Bool {
        outputs.contains { if case .line(_, .ready) = $0 { return true } else { return false } }
    }

    func testReportsReadyThenWrittenAndRenamedFiles() async throws {
        let dir = try TestDirectory()
        let (_, recorder) = try start([dir.path])
        await recorder.wait("READY") { Self.isReady($0) }
        try writeFile(dir.sub("written.edi"))
        try writeFile(dir.sub(".staging"))
        try FileSystem.rename(dir.sub(".staging"), to: dir.sub("renamed.edi"))
        let written = Array((dir.sub("written.edi")).utf8)
        let renamed = Array((dir.sub("renamed.edi")).utf8)
        await recorder.wait("both files") { let f = Self.files($0); return f.contains(written) && f.contains(renamed) }
    }

    func testNewSubfoldersAreWatchedAndAnnounced() async throws {
        let dir = try TestDirectory()
        try FileSystem.createDirectory(dir.sub("existing/deep"))
        let (_, recorder) = try start([dir.path + "/"])
        await recorder.wait("READY") { Self.isReady($0) }
        try writeFile(dir.sub("existing/deep/a.edi"))
        try FileSystem.createDirectory(dir.sub("new/x/y"))
        let newDir = Array(dir.sub("new").utf8)
        await recorder.wait("NEWDIR") { Self.newDirectories($0).contains(newDir) }
        // Folders created with it were watched recursively; a later file deep inside is reported.
        try writeFile(dir.sub("new/x/y/b.edi"))
        let paths = [dir.sub("existing/deep/a.edi"), dir.sub("new/x/y/b.edi")].map { Array($0.utf8) }
        await recorder.wait("files in old and new subfolders") { o in paths.allSatisfy { Self.files(o).contains($0) } }
        // A folder moved in from outside is watched too.
        let outside = try TestDirectory()
        try FileSystem.createDirectory(outside.sub("moved"))
        try FileSystem.rename(outside.sub("moved"), to: dir.sub("moved"))
        await recorder.wait("NEWDIR for a moved-in folder") { Self.newDirectories($0).contains(Array(dir.sub("moved").utf8)) }
        try writeFile(dir.sub("moved/c.edi"))
        await recorder.wait("file in moved-in folder") { Self.files($0).contains(Array(dir.sub("moved/c.edi").utf8)) }
        // A folder renamed inside the tree keeps reporting correct paths.
        try FileSystem.rename(dir.sub("new"), to: dir.sub("renamed"))
        await recorder.wait("NEWDIR for a renamed folder") { Self.newDirectories($0).contains(Array(dir.sub("renamed").utf8)) }
        try writeFile(dir.sub("renamed/x/y/d.edi"))
        await recorder.wait("file in renamed folder") { Self.files($0).contains(Array(dir.sub("renamed/x/y/d.edi").utf8)) }
    }

    func testAnyFileNameSurvivesTheProtocol() async throws {
        let dir = try TestDirectory()
        let (_, recorder) = try start([dir.path])
        await recorder.wait("READY") { Self.isReady($0) }
        let names: [[UInt8]] = [
            Array("with space.edi".utf8), Array("tab\there".utf8), Array("new\nline".utf8),
            Array("back\\slash\\x41".utf8), Array("Rechnung-ü.edi".utf8), [0x6e, 0x6f, 0xff, 0xfe, 0x2e, 0x64],
            Array("cr\rx".utf8), [0x01, 0x7f, 0x80],
        ]
        for name in names {
            let path = Array(dir.path.utf8) + [0x2f] + name
            let fd = (path + [0]).withUnsafeBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: path.count + 1) { open($0, O_CREAT | O_WRONLY, 0o644) }
            }
            XCTAssertGreaterThanOrEqual(fd, 0)
            close(fd)
        }
        let expected = names.map { Array(dir.path.utf8) + [0x2f] + $0 }
        await recorder.wait("every name byte for byte") { o in expected.allSatisfy { Self.files(o).contains($0) } }
    }

    func testExitsWithZeroWhenStdinCloses() async throws {
        let dir = try TestDirectory()
        let (process, recorder) = try start([dir.path])
        await recorder.wait("READY") { Self.isReady($0) }
        process.closeInput()
        await recorder.wait("exit") { o in
            o.contains { if case let .exited(_, status, _) = $0 { return status == 0 } else { return false } }
        }
    }

    func testFailsWithAMessageForAMissingFolder() async throws {
        let dir = try TestDirectory()
        let (_, recorder) = try start([dir.path, dir.sub("missing")])
        await recorder.wait("exit with status 1 and a message") { o in
            o.contains {
                if case let .exited(_, status, lastError) = $0 {
                    return WatchProcess.describe(status: status) == "exited with status 1"
                        && (lastError ?? "").contains("missing is not a folder")
                }
                return false
            }
        }
        let items = await recorder.items
        XCTAssertFalse(Self.isReady(items))
    }

    func testReportsOverflowWhenTheKernelQueueOverflows() async throws {
        let dir = try TestDirectory(inMemory: true)
        let (process, recorder) = try start([dir.path])
        await recorder.wait("READY") { Self.isReady($0) }
        // Stop the program, make more events than the kernel queues, let it go on.
        let limit = Int(readText("/proc/sys/fs/inotify/max_queued_events")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16_384
        process.send(signal: SIGSTOP)
        var failures = 0
        for i in 0...limit {
            let fd = open(dir.sub("f\(i)"), O_CREAT | O_WRONLY, 0o644)
            if fd < 0 { failures += 1 } else { close(fd) }
        }
        XCTAssertEqual(failures, 0)
        process.send(signal: SIGCONT)
        await recorder.wait(timeout: .seconds(30), "OVERFLOW") { o in
            o.contains { if case .line(_, .overflow) = $0 { return true } else { return false } }
        }
    }

    /// Measurement: 10,000 partner outboxes watched (target < 2 s), then event throughput.
    func testWatchSetupFor10000FoldersAndEventThroughput() async throws {
        let dir = try TestDirectory(inMemory: true)
        var outboxes: [String] = []
        var failures = 0
        for i in 0..<10_000 {
            let partner = dir.sub("p\(i)")
            if mkdir(partner, 0o750) != 0 || mkdir(partner + "/outbox", 0o750) != 0 { failures += 1 }
            outboxes.append(partner + "/outbox")
        }
        XCTAssertEqual(failures, 0)
        let clock = ContinuousClock()
        let started = clock.now
        let (_, recorder) = try start(outboxes)
        await recorder.wait(timeout: .seconds(30), "READY for 10,000 folders") { Self.isReady($0) }
        let setup = clock.now - started
        print("as2-agent-watch: 10,000 folders watched in \(setup)")
        XCTAssertLessThan(setup, .seconds(10), "watch setup for 10,000 folders (target 2 s on an idle machine)")

        let count = 2_000
        let eventsStarted = clock.now
        for i in 0..<count {
            let fd = open(outboxes[i % outboxes.count] + "/f\(i).edi", O_CREAT | O_WRONLY, 0o644)
            XCTAssertGreaterThanOrEqual(fd, 0)
            close(fd)
        }
        await recorder.wait(timeout: .seconds(30), "\(count) events") { Self.files($0).count >= count }
        let elapsed = clock.now - eventsStarted
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("as2-agent-watch: \(count) files created and reported in \(elapsed) (\(Int(Double(count) / seconds)) events/s)")
    }
}
