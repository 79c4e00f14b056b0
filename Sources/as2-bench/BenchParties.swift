import AS2Crypto
import AS2Protocol

/// The two trading partners of every scenario, loaded from the PEM files `as2-bench keys` wrote
/// (pyas2lib loads the same files), and the message settings under test: SHA-256 signature,
/// AES-256-CBC, a signed (SHA-256) synchronous MDN requested.
struct BenchParties: Sendable {
    static let senderName = "bench-sender"
    static let receiverName = "bench-receiver"

    let sender: Identity
    let receiver: Identity

    init(directory: String) throws {
        sender = try Self.identity(directory: directory, role: "sender")
        receiver = try Self.identity(directory: directory, role: "receiver")
    }

    static func keyPath(_ directory: String, _ role: String) -> String { "\(directory)/\(role).key.pem" }
    static func certificatePath(_ directory: String, _ role: String) -> String { "\(directory)/\(role).cert.pem" }

    static func identity(directory: String, role: String) throws -> Identity {
        let key = try PrivateKey.load(fromFile: keyPath(directory, role), password: nil)
        guard let certificate = try Certificate.load(fromFile: certificatePath(directory, role)).first else {
            throw BenchError("no certificate in \(certificatePath(directory, role))")
        }
        return try Identity(certificate: certificate, privateKey: key)
    }

    func options(messageID: String) throws -> OutboundMessageOptions {
        OutboundMessageOptions(
            as2From: try AS2Name(Self.senderName), as2To: try AS2Name(Self.receiverName), messageID: messageID,
            contentType: "application/octet-stream", signature: .sha256, encryption: .aes256CBC,
            mdn: MDNRequest(signingDigest: .sha256)
        )
    }

    /// What the receiver knows about the sender: our decryption key and the sender's certificate.
    var receiverSecurity: InboundSecurity {
        InboundSecurity(decryptionIdentities: [receiver], partnerCertificates: [sender.certificate])
    }
}
