import Synchronization

/// Hands out consecutive numbers 1, 2, … up to a limit to concurrent workers.
final class TicketCounter: Sendable {
    private let issued = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// The next number, or nil once `limit` numbers were handed out.
    func next() -> Int? {
        issued.withLock { value in
            guard value < limit else { return nil }
            value += 1
            return value
        }
    }
}
