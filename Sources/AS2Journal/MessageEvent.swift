import Foundation

/// One entry of a message's timeline: every state change appends one.
public struct MessageEvent: Sendable, Hashable {
    /// Event id, increasing in the order events were written.
    public var id: Int64
    /// Journal row id of the message.
    public var messageRowID: Int64
    public var at: Date
    public var kind: EventKind
    /// The message's state after the event (`OutboundState`/`InboundState`/`AsyncMDNState` raw value).
    public var state: String?
    /// Human-readable facts: reason, attempt number, disposition, digests, paths.
    public var detail: String?

    public init(id: Int64, messageRowID: Int64, at: Date, kind: EventKind, state: String?, detail: String?) {
        self.id = id
        self.messageRowID = messageRowID
        self.at = at
        self.kind = kind
        self.state = state
        self.detail = detail
    }
}
