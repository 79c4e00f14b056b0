import Foundation

/// When an outbound message is sent again (requirements R-RS-2, R-RS-4): after a transport
/// failure, a transient status, a missing or bad MDN, or an async MDN that never came.
public struct RetryPolicy: Sendable, Equatable {
    /// Resends after the first attempt; 0 fails at once.
    public var count: Int
    /// Delay before the first resend.
    public var interval: Duration
    /// Each further delay is the previous one times this factor (1.0 = constant).
    public var backoff: Double
    /// Upper bound of any one delay.
    public var maxInterval: Duration
    /// How long we wait for an asynchronous MDN before the message counts as failed to deliver.
    public var asyncMDNTimeout: Duration

    public static let `default` = RetryPolicy()

    public init(
        count: Int = 5, interval: Duration = .seconds(60), backoff: Double = 2.0, maxInterval: Duration = .seconds(3600),
        asyncMDNTimeout: Duration = .seconds(3600)
    ) {
        self.count = count
        self.interval = interval
        self.backoff = backoff
        self.maxInterval = maxInterval
        self.asyncMDNTimeout = asyncMDNTimeout
    }

    /// Delay before resend number `attempt` (1-based): interval × backoff^(attempt−1), capped.
    public func delay(beforeResend attempt: Int) -> Duration {
        let base = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let cap = Double(maxInterval.components.seconds) + Double(maxInterval.components.attoseconds) / 1e18
        let raw = base * pow(backoff, Double(max(0, attempt - 1)))
        let seconds = min(raw.isFinite ? raw : cap, cap)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
