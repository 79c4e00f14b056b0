import Foundation
import Synchronization
import XCTest

@testable import AS2Spool

final class FolderSyncsTests: XCTestCase {
    /// Events in one order: each caller's call and return, each fsync's start and end.
    private final class Timeline: Sendable {
        let clock = Atomic<Int>(0)
        let fsyncs = Mutex<[(start: Int, end: Int)]>([])
        func tick() -> Int { clock.add(1, ordering: .sequentiallyConsistent).newValue }
    }

    /// 16 threads placing into one folder at once: every caller returns only after an fsync that
    /// started after its call ended, and far fewer fsyncs run than callers.
    func testEveryCallerIsCoveredByAnFsyncThatStartedAfterItAndTheyAreShared() throws {
        let timeline = Timeline()
        let syncs = FolderSyncs { _ in
            let start = timeline.tick()
            Thread.sleep(forTimeInterval: 0.002)  // an fsync's latency
            timeline.fsyncs.withLock { $0.append((start, timeline.tick())) }
        }
        let callers = Mutex<[(call: Int, ret: Int)]>([])
        let rounds = 20
        onThreads(16) {
            for _ in 0..<rounds {
                let call = timeline.tick()
                try! syncs.sync("/spool/acme/inbox")
                let ret = timeline.tick()
                callers.withLock { $0.append((call, ret)) }
            }
        }
        let fsyncs = timeline.fsyncs.withLock { $0 }
        let calls = callers.withLock { $0 }
        XCTAssertEqual(calls.count, 16 * rounds)
        for c in calls {
            XCTAssertTrue(
                fsyncs.contains { $0.start > c.call && $0.end < c.ret },
                "a caller (call \(c.call), return \(c.ret)) returned without an fsync that began after it")
        }
        XCTAssertLessThan(fsyncs.count, calls.count / 2, "fsyncs were not shared: \(fsyncs.count) for \(calls.count) callers")
        XCTAssertEqual(syncs.trackedFolders, 0)
    }

    /// Different folders never wait for each other's fsync: each fake fsync waits (up to 5 s) for
    /// the other folder's to be running too, which only happens if they run side by side.
    func testFoldersAreIndependent() throws {
        let running = Mutex<Set<String>>([])
        let overlapped = Atomic<Bool>(false)
        let syncs = FolderSyncs { path in
            running.withLock { _ = $0.insert(path) }
            let deadline = Date(timeIntervalSinceNow: 5)
            while Date() < deadline {
                if overlapped.load(ordering: .sequentiallyConsistent) || running.withLock({ $0.count }) == 2 {
                    overlapped.store(true, ordering: .sequentiallyConsistent)
                    break
                }
                Thread.sleep(forTimeInterval: 0.001)
            }
            running.withLock { _ = $0.remove(path) }
        }
        let next = Atomic<Int>(0)
        onThreads(2) { try! syncs.sync(next.add(1, ordering: .sequentiallyConsistent).newValue == 1 ? "/a/sent" : "/a/inbox") }
        XCTAssertTrue(overlapped.load(ordering: .sequentiallyConsistent), "the two folders' fsyncs did not run side by side")
    }

    /// A failed fsync fails the caller that ran it; a caller waiting on it runs its own and succeeds.
    func testAFailureAnswersOnlyItsCallerAndTheOthersTryAgain() throws {
        let attempts = Atomic<Int>(0)
        struct Broken: Error {}
        let syncs = FolderSyncs { _ in
            let n = attempts.add(1, ordering: .sequentiallyConsistent).newValue
            Thread.sleep(forTimeInterval: 0.01)
            if n == 1 { throw Broken() }
        }
        let failures = Atomic<Int>(0)
        onThreads(8) {
            do { try syncs.sync("/spool/acme/sent") } catch { failures.add(1, ordering: .sequentiallyConsistent) }
        }
        XCTAssertEqual(failures.load(ordering: .sequentiallyConsistent), 1)
        XCTAssertGreaterThanOrEqual(attempts.load(ordering: .sequentiallyConsistent), 2)
        XCTAssertEqual(syncs.trackedFolders, 0)
    }

    /// The real thing on a real folder.
    func testSyncsARealFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("foldersyncs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FolderSyncs().sync(dir)
        XCTAssertThrowsError(try FolderSyncs().sync(dir + "/missing"))
    }

    /// Runs `body` on `count` threads of their own at once (the disk threads are real threads;
    /// `concurrentPerform` would use one per core) and waits for all of them.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            Thread {
                body()
                group.leave()
            }.start()
        }
        group.wait()
    }
}
