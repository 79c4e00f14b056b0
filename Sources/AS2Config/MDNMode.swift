/// Which receipt we request for our outbound messages (RFC 4130 §7.2): none, returned on the same
/// HTTP response (sync), or POSTed back to us later (async). Raw values are the agent.conf names.
public enum MDNMode: String, CaseIterable, Sendable, Codable {
    case none
    case sync
    case async
}
