/// At most N sends in flight per partner, so one slow partner never blocks the others.
actor ConcurrencyLimiter {
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ key: String, limit: Int) async {
        if running[key, default: 0] < max(1, limit) {
            running[key, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    func release(_ key: String) {
        if var queue = waiting[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[key] = queue
            next.resume()  // the slot passes to the waiter
        } else {
            running[key, default: 1] -= 1
        }
    }
}
