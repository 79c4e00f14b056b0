/// Delivery state of an asynchronous MDN this agent returns to a partner (requirements §4.8).
public enum AsyncMDNState: String, Codable, Sendable, CaseIterable {
    /// Waiting to be POSTed (first try or a scheduled retry).
    case pending = "mdn_pending"
    /// The partner's MDN URL answered 2xx.
    case sent = "mdn_sent"
    /// Retries are exhausted or the URL is refused.
    case failed = "mdn_failed"
}
