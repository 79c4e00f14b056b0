/// Which way a journaled message travels: sent by this agent or received from a partner.
public enum MessageDirection: String, Codable, Sendable, CaseIterable {
    case outbound
    case inbound
}
