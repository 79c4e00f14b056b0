import Foundation

/// A journal row of either direction, as listed by the CLI queries.
public enum JournalMessage: Sendable, Hashable {
    case outbound(OutboundMessage)
    case inbound(InboundMessage)

    /// Every value `state` can take, in both directions, plus the async-MDN states
    /// (all accepted by the `state:` filter of `Journal.recent`).
    public static let stateNames: [String] = {
        var names = OutboundState.allCases.map(\.rawValue)
        for name in InboundState.allCases.map(\.rawValue) + AsyncMDNState.allCases.map(\.rawValue)
        where !names.contains(name) {
            names.append(name)
        }
        return names
    }()

    public var id: Int64 {
        switch self {
        case .outbound(let message): message.id
        case .inbound(let message): message.id
        }
    }

    public var direction: MessageDirection {
        switch self {
        case .outbound: .outbound
        case .inbound: .inbound
        }
    }

    public var partner: String {
        switch self {
        case .outbound(let message): message.partner
        case .inbound(let message): message.partner
        }
    }

    public var messageID: String {
        switch self {
        case .outbound(let message): message.messageID
        case .inbound(let message): message.messageID
        }
    }

    /// The state's name as stored (`delivered`, `awaiting_mdn`, …).
    public var stateName: String {
        switch self {
        case .outbound(let message): message.state.rawValue
        case .inbound(let message): message.state.rawValue
        }
    }

    public var createdAt: Date {
        switch self {
        case .outbound(let message): message.createdAt
        case .inbound(let message): message.createdAt
        }
    }

    public var updatedAt: Date {
        switch self {
        case .outbound(let message): message.updatedAt
        case .inbound(let message): message.updatedAt
        }
    }
}
