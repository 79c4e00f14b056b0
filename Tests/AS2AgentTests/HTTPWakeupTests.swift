import AS2Agent
import Foundation
import XCTest

/// `Wakeup` drives the scheduler behind async MDNs and retries: a signal wakes exactly one wait,
/// a timeout ends a wait, cancellation ends it at once (SIGTERM), and nothing leaves a stale signal
/// behind (which would make the scheduler spin on the journal).
final class HTTPWakeupTests: XCTestCase {
    func testSignalWakesTheWaiterAndLeavesNothingBehind() async throws {
        let wakeup = Wakeup()
        let started = ContinuousClock.now
        async let waited: Void = wakeup.wait(timeout: .seconds(10))
        try await Task.sleep(for: .milliseconds(100))
        wakeup.signal()
        await waited
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        // The next wait is not satisfied by a leftover signal: it lasts its timeout.
        let next = ContinuousClock.now
        await wakeup.wait(timeout: .milliseconds(300))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - next, .milliseconds(250))
    }

    func testSignalBeforeTheWaitIsKept() async {
        let wakeup = Wakeup()
        wakeup.signal()
        let started = ContinuousClock.now
        await wakeup.wait(timeout: .seconds(10))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }

    func testTimeoutEndsTheWaitWithoutAStaleSignal() async {
        let wakeup = Wakeup()
        await wakeup.wait(timeout: .milliseconds(100))
        let next = ContinuousClock.now
        await wakeup.wait(timeout: .milliseconds(300))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - next, .milliseconds(250))
    }

    func testCancellationEndsTheWait() async {
        let wakeup = Wakeup()
        let started = ContinuousClock.now
        let task = Task { await wakeup.wait(timeout: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await task.value
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }
}
