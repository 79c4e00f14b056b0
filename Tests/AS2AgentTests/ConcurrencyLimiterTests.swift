import Synchronization
import XCTest

@testable import AS2Agent

final class ConcurrencyLimiterTests: XCTestCase {
    private final class Counters: Sendable {
        let current = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let order = Mutex<[Int]>([])
        let released = Atomic<Bool>(false)
    }

    /// 20 sends for one partner with a limit of 3: never more than 3 at once and all of them run;
    /// while acme's 3 slots are taken and 17 sends wait, another partner gets its slot at once.
    func testAtMostLimitRunAtOnceAndOtherPartnersAreNotHeldUp() async throws {
        let limiter = ConcurrencyLimiter()
        let counters = Counters()
        let acme = (0..<20).map { _ in
            Task {
                await limiter.acquire("acme", limit: 3)
                let now = counters.current.add(1, ordering: .sequentiallyConsistent).newValue
                _ = counters.peak.max(now, ordering: .sequentiallyConsistent)
                // Held until globex has been checked, so acme's queue is full meanwhile.
                while !counters.released.load(ordering: .sequentiallyConsistent) { try? await Task.sleep(for: .milliseconds(1)) }
                counters.current.subtract(1, ordering: .sequentiallyConsistent)
                counters.done.add(1, ordering: .sequentiallyConsistent)
                limiter.release("acme")
            }
        }
        let full = await Self.eventually { limiter.running("acme") == 3 && limiter.waiting("acme") == 17 }
        XCTAssertTrue(full, "acme's slots and queue did not fill")
        let globex = Task {
            await limiter.acquire("globex", limit: 1)
            limiter.release("globex")
            counters.order.withLock { $0.append(1) }
        }
        let admitted = await Self.eventually { counters.order.withLock { $0 } == [1] }
        XCTAssertTrue(admitted, "globex waited behind acme's queue")
        counters.released.store(true, ordering: .sequentiallyConsistent)
        for task in acme { await task.value }
        await globex.value
        XCTAssertEqual(counters.done.load(ordering: .sequentiallyConsistent), 20)
        XCTAssertEqual(counters.peak.load(ordering: .sequentiallyConsistent), 3)
        XCTAssertEqual(limiter.running("acme"), 0)
        XCTAssertEqual(limiter.waiting("acme"), 0)
        XCTAssertEqual(limiter.running("globex"), 0)
    }

    /// Waiters get their slot in the order they asked for it.
    func testWaitersAreServedInArrivalOrder() async throws {
        let limiter = ConcurrencyLimiter()
        await limiter.acquire("acme", limit: 1)
        let counters = Counters()
        var tasks: [Task<Void, Never>] = []
        for i in 0..<5 {
            tasks.append(
                Task {
                    await limiter.acquire("acme", limit: 1)
                    counters.order.withLock { $0.append(i) }
                    limiter.release("acme")
                })
            // The next one asks only once this one waits: arrival order is known.
            let queued = await Self.eventually { limiter.waiting("acme") == i + 1 }
            XCTAssertTrue(queued, "waiter \(i) is not queued")
        }
        XCTAssertEqual(counters.order.withLock { $0 }, [], "a waiter ran while the slot was taken")
        limiter.release("acme")
        for task in tasks { await task.value }
        XCTAssertEqual(counters.order.withLock { $0 }, [0, 1, 2, 3, 4])
        XCTAssertEqual(limiter.running("acme"), 0)
    }

    private static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
