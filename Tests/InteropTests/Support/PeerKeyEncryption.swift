/// RSA key transport for the content-encryption key.
public enum PeerKeyEncryption: String, Codable, Sendable {
    case pkcs1v15 = "rsaes_pkcs1v15"
    case oaep = "rsaes_oaep"
}
