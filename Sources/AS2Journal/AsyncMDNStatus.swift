import Foundation

/// Progress of POSTing an asynchronous MDN to the partner.
public struct AsyncMDNStatus: Sendable, Hashable {
    public var state: AsyncMDNState
    /// POST attempts made so far.
    public var attempts: Int
    /// When the next POST is due (while `pending`).
    public var nextAttemptAt: Date?
    /// When the partner accepted it (once `sent`).
    public var sentAt: Date?
    public var lastError: String?

    public init(state: AsyncMDNState, attempts: Int, nextAttemptAt: Date?, sentAt: Date?, lastError: String?) {
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
        self.lastError = lastError
    }
}
