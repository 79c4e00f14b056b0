import AS2Crypto
import Foundation

/// `CryptoInspector` backed by AS2Crypto: what check-config uses for real files.
struct AS2CryptoInspector: CryptoInspector {
    /// Certificate files read once per run (many partners usually name the same few files).
    var certificates = CertificateFileCache()

    func loadCertificates(path: String) throws -> [Certificate] {
        do {
            return try certificates.certificates(inFile: path)
        } catch let error as CryptoError {
            throw LoadError(message: error.message)
        }
    }

    func facts(of certificate: Certificate) -> CertificateFacts {
        certificates.facts(of: certificate, compute: Self.computeFacts)
    }

    private static func computeFacts(_ certificate: Certificate) -> CertificateFacts {
        let usage = certificate.keyUsage
        return CertificateFacts(
            subject: certificate.subject, notBefore: certificate.notBefore, notAfter: certificate.notAfter,
            sha256Fingerprint: certificate.sha256Fingerprint, publicKeyBits: certificate.publicKeyBits,
            keyUsage: usage.isEmpty ? nil : usage)
    }

    func loadPrivateKey(path: String, password: String?) throws(KeyLoadFailure) -> PrivateKey {
        do {
            return try PrivateKey.load(fromFile: path, password: password)
        } catch {
            throw Self.failure(error)
        }
    }

    func loadPKCS12(path: String, password: String?) throws(KeyLoadFailure) -> (key: PrivateKey, certificates: [Certificate]) {
        do {
            let identity = try Identity.loadPKCS12(path: path, password: password)
            return (identity.privateKey, [identity.certificate] + identity.chain)
        } catch {
            throw Self.failure(error)
        }
    }

    /// A certificate file that did not load; the message is AS2Crypto's.
    struct LoadError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    func key(_ key: PrivateKey, matches certificate: Certificate) -> Bool { key.matches(certificate) }

    func bits(of key: PrivateKey) -> Int? { key.bits }

    private static func failure(_ error: any Error) -> KeyLoadFailure {
        guard let error = error as? CryptoError else { return .unusable("\(error)") }
        return error.code == .wrongPassword ? .wrongPassword : .unusable(error.message)
    }
}
