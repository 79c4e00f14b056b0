/// Whether and where an outbound message is compressed (RFC 5402 §3): before signing compresses
/// the payload, after signing compresses the signed entity. Raw values are the agent.conf names.
public enum CompressionMode: String, CaseIterable, Sendable, Codable {
    case none
    case beforeSigning = "before-signing"
    case afterSigning = "after-signing"
}
