/// The answer to "may I process this received message?", decided atomically on the
/// duplicate key (AS2-From, AS2-To, normalised Message-ID) (requirements §5.2).
public enum InboundBegin: Sendable, Hashable {
    /// Process it, then record the outcome with `completeInbound(_:outcome:mdn:evidencePaths:origin:)`
    /// or let it go with `abandonInbound(_:reason:)`; until then the key stays claimed.
    case new(InboundClaim)
    /// Already delivered or rejected: do not process again; answer with the stored MDN (R-DUP-2).
    case duplicateCompleted(InboundMessage)
    /// Another request with this key is being processed right now (R-DUP-3: 503 + Retry-After).
    case duplicateInProgress
    /// Same key, different body digest: Message-ID reuse with different content (R-DUP-4). `id` is
    /// the stored row's, or `nil` when the other message is still being processed (nothing stored yet).
    case conflict(id: Int64?)
}
