import AS2Config
import AS2Crypto
import AS2Protocol

/// Who we are: our AS2 id, the key that signs our messages and receipts, and every key that may
/// still decrypt (the current one first, then rollover keys; R-CERT-3).
public struct LocalIdentity: Sendable {
    public let as2ID: AS2Name
    public let signing: Identity
    public let decryption: [Identity]

    public static func load(_ settings: AgentSettings) throws -> LocalIdentity {
        let current: Identity
        switch settings.identity {
        case let .pem(certificatePath, keyPath, password):
            let certificates = try Certificate.load(fromFile: certificatePath)
            guard let certificate = certificates.first else {
                throw AgentError.configuration("\(certificatePath) holds no certificate")
            }
            let key = try PrivateKey.load(fromFile: keyPath, password: password?.value)
            current = try Identity(certificate: certificate, privateKey: key, chain: Array(certificates.dropFirst()))
        case let .pkcs12(path, password):
            current = try Identity.loadPKCS12(path: path, password: password?.value)
        }
        var decryption = [current]
        let previousCertificates = try settings.previousCertificates.flatMap { try Certificate.load(fromFile: $0) }
        for keyPath in settings.previousPrivateKeys {
            let key = try PrivateKey.load(fromFile: keyPath, password: settings.previousPrivateKeyPassword?.value)
            let candidates = previousCertificates + ((try? Certificate.load(fromFile: keyPath)) ?? [])
            guard let certificate = candidates.first(where: { key.matches($0) }) else {
                throw AgentError.configuration("no certificate in previous_certificates matches the previous key \(keyPath)")
            }
            decryption.append(try Identity(certificate: certificate, privateKey: key, chain: []))
        }
        return LocalIdentity(as2ID: try AS2Name(settings.as2ID), signing: current, decryption: decryption)
    }
}
