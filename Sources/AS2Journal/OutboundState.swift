/// Outbound message states (requirements §5.5): claimed → built → sent → MDN → done.
public enum OutboundState: String, Codable, Sendable, CaseIterable {
    /// Claimed and journaled; not sent yet (maybe not built yet: see `OutboundMessage.built`).
    case queued
    /// An HTTP attempt is in flight (including the wait for a synchronous MDN).
    case sending
    /// Sent; the partner's asynchronous MDN is awaited until `mdnDeadline`.
    case awaitingMDN = "awaiting_mdn"
    /// The last attempt failed transiently; the next one is due at `nextAttemptAt`.
    case retryScheduled = "retry_scheduled"
    case delivered
    /// Delivered, but the receipt carried a warning (or was weaker than requested).
    case deliveredWithWarning = "delivered_with_warning"
    case failed

    /// A final state: nothing more happens to the message.
    public var isFinal: Bool {
        switch self {
        case .delivered, .deliveredWithWarning, .failed: true
        case .queued, .sending, .awaitingMDN, .retryScheduled: false
        }
    }
}
