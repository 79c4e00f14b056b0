import Synchronization
import XCTest

@testable import AS2Agent

final class ConcurrencyLimiterTests: XCTestCase {
    private final class Counters: Sendable {
        let current = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let order = Mutex<[Int]>([])
    }

    /// 20 sends for one partner with a limit of 3: never more than 3 at once, all of them run, and
    /// another partner is never held up by the first one's queue.
    func testAtMostLimitRunAtOnceAndOtherPartnersAreNotHeldUp() async throws {
        let limiter = ConcurrencyLimiter()
        let counters = Counters()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await limiter.acquire("acme", limit: 3)
                    let now = counters.current.add(1, ordering: .sequentiallyConsistent).newValue
                    _ = counters.peak.max(now, ordering: .sequentiallyConsistent)
                    try? await Task.sleep(for: .milliseconds(5))
                    counters.current.subtract(1, ordering: .sequentiallyConsistent)
                    counters.done.add(1, ordering: .sequentiallyConsistent)
                    limiter.release("acme")
                }
            }
            group.addTask {
                // Acme's 3 slots are taken and 17 wait: globex still gets its slot at once.
                try? await Task.sleep(for: .milliseconds(2))
                await limiter.acquire("globex", limit: 1)
                XCTAssertLessThan(counters.done.load(ordering: .sequentiallyConsistent), 20, "globex waited for acme's queue")
                limiter.release("globex")
            }
        }
        XCTAssertEqual(counters.done.load(ordering: .sequentiallyConsistent), 20)
        XCTAssertEqual(counters.peak.load(ordering: .sequentiallyConsistent), 3)
        XCTAssertEqual(limiter.running("acme"), 0)
        XCTAssertEqual(limiter.running("globex"), 0)
    }

    /// Waiters get their slot in the order they asked for it.
    func testWaitersAreServedInArrivalOrder() async throws {
        let limiter = ConcurrencyLimiter()
        await limiter.acquire("acme", limit: 1)
        let counters = Counters()
        let tasks = (0..<5).map { i in
            Task {
                try? await Task.sleep(for: .milliseconds(10 * (i + 1)))  // arrive one after another
                await limiter.acquire("acme", limit: 1)
                counters.order.withLock { $0.append(i) }
                limiter.release("acme")
            }
        }
        try await Task.sleep(for: .milliseconds(80))
        XCTAssertEqual(counters.order.withLock { $0 }, [], "a waiter ran while the slot was taken")
        limiter.release("acme")
        for task in tasks { await task.value }
        XCTAssertEqual(counters.order.withLock { $0 }, [0, 1, 2, 3, 4])
        XCTAssertEqual(limiter.running("acme"), 0)
    }
}
