/// The answer to "may I process this received message?", decided atomically on the
/// duplicate key (AS2-From, AS2-To, normalised Message-ID) (requirements §5.2).
public enum InboundBegin: Sendable, Hashable {
    /// Process it; complete the row with `completeInbound(_:outcome:mdn:evidencePaths:)`.
    /// Also returned, with the old row's id, when a resend takes over an `interrupted` row.
    case new(id: Int64)
    /// Already delivered or rejected: do not process again; answer with the stored MDN (R-DUP-2).
    case duplicateCompleted(InboundMessage)
    /// Another request with this key is being processed right now (R-DUP-3: 503 + Retry-After).
    case duplicateInProgress(id: Int64)
    /// Same key, different body digest: Message-ID reuse with different content (R-DUP-4).
    case conflict(id: Int64)
}
