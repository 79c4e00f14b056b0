/// How the requested MDN travels back.
public enum PeerMDNMode: String, Codable, Sendable {
    case sync, async
}
