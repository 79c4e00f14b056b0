/// Inbound message states: a received message is processed once, then delivered or rejected.
public enum InboundState: String, Codable, Sendable, CaseIterable {
    /// Being unpacked and checked; a resend with the same key is a duplicate in progress.
    case processing
    /// Processing stopped without completing (the agent crashed or was killed); the partner's
    /// next resend of the same message takes the row over and processes it again.
    case interrupted
    /// The document was written to `inbox/`.
    case delivered
    /// The message was refused with an error disposition; nothing was delivered.
    case rejected

    /// A final state: resends are answered from the stored MDN.
    public var isFinal: Bool {
        switch self {
        case .delivered, .rejected: true
        case .processing, .interrupted: false
        }
    }
}
