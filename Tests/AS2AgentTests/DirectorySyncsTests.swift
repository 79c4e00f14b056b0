import Foundation
import Synchronization
import XCTest

@testable import AS2Agent

/// Folder fsyncs shared across files: batched, never skipped.
final class DirectorySyncsTests: XCTestCase {
    /// Records each fsync: its number (in start order) and when it completed.
    final class Recorder: Sendable {
        struct State {
            var started = 0
            var completed: [Int] = []
        }
        let state = Mutex(State())
    }

    func testConcurrentRequestsShareTheNextFsyncAndNoneIsAnsweredByAnEarlierOne() async throws {
        let recorder = Recorder()
        let syncs = DirectorySyncs { _ in
            let number = recorder.state.withLock { state -> Int in
                state.started += 1
                return state.started
            }
            try await Task.sleep(nanoseconds: 50_000_000)
            recorder.state.withLock { $0.completed.append(number) }
        }
        // One request starts an fsync; 20 more arrive while it runs.
        async let first: Void = syncs.sync("/spool/sent")
        try await Task.sleep(nanoseconds: 10_000_000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let before = recorder.state.withLock { $0.started }
                    try await syncs.sync("/spool/sent")
                    // Answered by an fsync that started after the request (number > before).
                    let covered = recorder.state.withLock { $0.completed.contains { $0 > before } }
                    XCTAssertTrue(covered, "answered before an fsync that started after the request completed")
                }
            }
            try await group.waitForAll()
        }
        try await first
        XCTAssertEqual(recorder.state.withLock { $0.started }, 2, "the 20 requests made during the first fsync share the second")
        // Later requests, one at a time: one fsync each.
        try await syncs.sync("/spool/sent")
        try await syncs.sync(["/spool/claims", "/spool/outbox", "/spool/claims"])
        XCTAssertEqual(recorder.state.withLock { $0.started }, 5)
    }

    func testAFailedFsyncFailsEveryRequestItCovers() async throws {
        struct Failure: Error {}
        let calls = Mutex(0)
        let syncs = DirectorySyncs { _ in
            let n = calls.withLock { count -> Int in
                count += 1
                return count
            }
            try await Task.sleep(nanoseconds: 20_000_000)
            if n == 1 { throw Failure() }
        }
        do {
            try await syncs.sync("/spool/sent")
            XCTFail("the fsync failed")
        } catch is Failure {}
        try await syncs.sync("/spool/sent")
        XCTAssertEqual(calls.withLock { $0 }, 2, "a failure is not remembered: the next request fsyncs again")
    }
}
