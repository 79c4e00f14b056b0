import AS2Crypto

/// Turns the paths and secrets of agent.conf into AS2Crypto objects at start and on reload.
/// Failures are `ConfigurationError`s naming the key, like the loader's (check-config reports
/// the same problems with their lines).
public enum CredentialLoader {
    /// Our current identity (chain certificates after the first in the certificate file) and
    /// the previous keys, each paired with the certificate whose public key matches it.
    public static func identities(for configuration: AgentConfiguration) throws(ConfigurationError) -> AgentIdentities {
        let agent = configuration.agent
        let current: Identity
        switch agent.identity {
        case .pem(let certificatePath, let keyPath, let password):
            let certificates = try certificates(atPath: certificatePath, key: "agent.certificate", in: configuration)
            let key = try privateKey(atPath: keyPath, password: password, key: "agent.private_key", in: configuration)
            do {
                current = try Identity(certificate: certificates[0], privateKey: key, chain: Array(certificates.dropFirst()))
            } catch {
                throw failure(configuration, "agent.private_key", "\(keyPath) is not the private key of certificate \(certificatePath)")
            }
        case .pkcs12(let path, let password):
            do {
                current = try Identity.loadPKCS12(path: path, password: password?.value)
            } catch {
                throw failure(configuration, "agent.pkcs12", "\(path): \(describe(error))")
            }
        }
        var pool: [Certificate] = []
        for path in agent.previousCertificates {
            pool += try certificates(atPath: path, key: "agent.previous_certificates", in: configuration)
        }
        var previous: [Identity] = []
        for path in agent.previousPrivateKeys {
            let key = try privateKey(
                atPath: path, password: agent.previousPrivateKeyPassword, key: "agent.previous_private_keys", in: configuration)
            let own = (try? Certificate.load(fromFile: path)) ?? []
            guard let certificate = (pool + own).first(where: { key.matches($0) }),
                let identity = try? Identity(certificate: certificate, privateKey: key)
            else {
                throw failure(configuration, "agent.previous_private_keys", "no certificate matches previous key \(path)")
            }
            previous.append(identity)
        }
        return AgentIdentities(current: current, previous: previous)
    }

    /// Every certificate in a PEM or DER file (at least one).
    public static func certificates(atPath path: String, key: String, in configuration: AgentConfiguration) throws(ConfigurationError)
        -> [Certificate]
    {
        let certificates: [Certificate]
        do {
            certificates = try Certificate.load(fromFile: path)
        } catch {
            throw failure(configuration, key, "\(path): \(describe(error))", code: .certificate)
        }
        guard !certificates.isEmpty else { throw failure(configuration, key, "\(path) holds no certificate", code: .certificate) }
        return certificates
    }

    /// A partner's signature certificates (`certificate`, then `verify_certificates`), all of each file.
    public static func signatureCertificates(of partner: PartnerConfiguration, in configuration: AgentConfiguration)
        throws(ConfigurationError) -> [Certificate]
    {
        var result: [Certificate] = []
        if let path = partner.certificate {
            result += try certificates(atPath: path, key: "partner[\(partner.name)].certificate", in: configuration)
        }
        for path in partner.verifyCertificates {
            result += try certificates(atPath: path, key: "partner[\(partner.name)].verify_certificates", in: configuration)
        }
        return result
    }

    /// The certificate we encrypt to for this partner (the first of its file); nil when none is configured.
    public static func encryptionCertificate(of partner: PartnerConfiguration, in configuration: AgentConfiguration)
        throws(ConfigurationError) -> Certificate?
    {
        guard let path = partner.encryptionCertificate else { return nil }
        let key = partner.encryptCertificate == nil ? "certificate" : "encrypt_certificate"
        return try certificates(atPath: path, key: "partner[\(partner.name)].\(key)", in: configuration)[0]
    }

    private static func privateKey(atPath path: String, password: Secret?, key: String, in configuration: AgentConfiguration)
        throws(ConfigurationError) -> PrivateKey
    {
        do {
            return try PrivateKey.load(fromFile: path, password: password?.value)
        } catch {
            throw failure(configuration, key, "\(path): \(describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? CryptoError else { return "\(error)" }
        return error.code == .wrongPassword ? "wrong or missing password" : error.message
    }

    private static func failure(
        _ configuration: AgentConfiguration, _ key: String, _ message: String, code: ConfigurationProblem.Code = .key
    ) -> ConfigurationError {
        ConfigurationError(
            path: configuration.path,
            problems: [ConfigurationProblem(severity: .error, code: code, keyPath: key, message: message)])
    }
}
