import Foundation

/// The MDN this agent returns for an inbound message, stored byte for byte so that a duplicate
/// is answered with the same receipt (requirements R-DUP-2) and for evidence.
public struct OutgoingMDN: Sendable, Hashable {
    /// The MDN body exactly as sent.
    public var raw: Data
    /// The HTTP headers it is sent with (Content-Type with its boundary, AS2-From, …).
    public var headers: [HeaderField]
    public var delivery: MDNDelivery

    public init(raw: Data, headers: [HeaderField], delivery: MDNDelivery) {
        self.raw = raw
        self.headers = headers
        self.delivery = delivery
    }
}
