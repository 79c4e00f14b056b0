/// What happened to a message, one entry of its timeline.
public enum EventKind: String, Codable, Sendable, CaseIterable {
    // Outbound
    case created
    case built
    case messageIDReplaced = "message_id_replaced"
    case attempt
    case awaitingMDN = "awaiting_mdn"
    case retryScheduled = "retry_scheduled"
    case delivered
    case deliveredWithWarning = "delivered_with_warning"
    case failed
    // Inbound
    case received
    case duplicate
    case conflict
    case interrupted
    case reprocessing
    case rejected
    case mdnSent = "mdn_sent"
    case mdnRetryScheduled = "mdn_retry_scheduled"
    case mdnFailed = "mdn_failed"
    case mdnRequeued = "mdn_requeued"
}
