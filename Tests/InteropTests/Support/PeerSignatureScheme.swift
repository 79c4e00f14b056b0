/// RSA signature scheme.
public enum PeerSignatureScheme: String, Codable, Sendable {
    case pkcs1v15 = "rsassa_pkcs1v15"
    case pss = "rsassa_pss"
}
