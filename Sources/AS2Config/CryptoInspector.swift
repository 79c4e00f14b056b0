import Foundation

/// What check-config needs to know about certificate and key files. A protocol so the checks
/// are tested with in-memory fakes as well as with AS2Crypto (`AS2CryptoInspector`).
protocol CryptoInspector: Sendable {
    associatedtype Certificate
    associatedtype PrivateKey

    /// Every certificate in a PEM or DER file; throws a message when the file holds none or is malformed.
    func loadCertificates(path: String) throws -> [Certificate]
    func facts(of certificate: Certificate) -> CertificateFacts
    func loadPrivateKey(path: String, password: String?) throws(KeyLoadFailure) -> PrivateKey
    func loadPKCS12(path: String, password: String?) throws(KeyLoadFailure) -> (key: PrivateKey, certificates: [Certificate])
    func key(_ key: PrivateKey, matches certificate: Certificate) -> Bool
    /// RSA modulus size (or the key's security size), when known.
    func bits(of key: PrivateKey) -> Int?
}
