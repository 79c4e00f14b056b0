import AS2Crypto
import Foundation

/// One trading party of a test: an AS2 id, a fresh RSA key and self-signed certificate written as
/// PEM files under the test's directory (also used as its TLS server certificate; partners pin it).
struct HTTPTestParty: Sendable {
    let as2ID: String
    let directory: String
    let identity: Identity
    var certificatePath: String { directory + "/keys/\(as2ID.lowercased()).crt" }
    var keyPath: String { directory + "/keys/\(as2ID.lowercased()).key" }

    init(as2ID: String, directory: String, keyIndex: Int) throws {
        self.as2ID = as2ID
        self.directory = directory
        let key = try HTTPTestKeys.key(keyIndex)
        let certificate = try KeyGenerator.selfSignedCertificate(key: key, commonName: as2ID, organization: "as2-agent tests", validityDays: 30)
        identity = try Identity(certificate: certificate, privateKey: key, chain: [])
        try FileManager.default.createDirectory(atPath: directory + "/keys", withIntermediateDirectories: true)
        try Data(certificate.pem.utf8).write(to: URL(fileURLWithPath: certificatePath))
        try Data(key.pem().utf8).write(to: URL(fileURLWithPath: keyPath))
        chmod(keyPath, 0o600)
    }
}

/// RSA keys are the slow part of a test's setup: three are made once per process and shared by
/// the parties of different tests (each party still gets its own certificate and directories).
enum HTTPTestKeys {
    static let pool: [PrivateKey] = (0..<3).compactMap { _ in try? KeyGenerator.generateRSA(bits: 2048) }

    static func key(_ index: Int) throws -> PrivateKey {
        guard pool.count == 3 else { throw HTTPTestError("RSA key generation failed") }
        return pool[index % pool.count]
    }
}
