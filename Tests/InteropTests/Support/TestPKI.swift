import Foundation
import Synchronization

/// Generates RSA keys and self-signed certificates for named parties with the `openssl` CLI (not
/// with AS2Crypto, which is under test), once per name per test process.
public final class TestPKI: Sendable {
    /// The process-wide instance; its files live in one temporary folder, removed at exit.
    public static let shared: TestPKI = {
        let pki = TestPKI()
        atexit { try? FileManager.default.removeItem(at: TestPKI.shared.root) }
        return pki
    }()

    private let parties = Synchronization.Mutex<[String: TestParty]>([:])
    private let root: URL

    public init() {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("as2-interop-pki-\(getpid())-\(UUID().uuidString.prefix(8))")
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    /// The party `name` (generated on first use: RSA `keyBits`, valid for ten years).
    /// Names are `[A-Za-z0-9._-]+`; the same name always returns the same files in one process.
    public func party(_ name: String, keyBits: Int = 2048) throws -> TestParty {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw InteropError.invalidArgument("TestPKI party name must be [A-Za-z0-9._-]+, not \(name)")
        }
        return try parties.withLock { cache in
            if let party = cache[name] { return party }
            let party = try Self.generate(name: name, keyBits: keyBits, in: root.appendingPathComponent(name))
            cache[name] = party
            return party
        }
    }

    private static func generate(name: String, keyBits: Int, in dir: URL) throws -> TestParty {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = { (file: String) in dir.appendingPathComponent(file).path }
        let party = TestParty(
            name: name,
            keyPEM: path("key.pem"),
            certPEM: path("cert.pem"),
            certDER: path("cert.der"),
            p12: path("party.p12"),
            p12Password: "p12-\(name)",
            encryptedKeyPEM: path("key-encrypted.pem"),
            encryptedKeyPassword: "key-\(name)",
            directory: dir.path
        )
        try openssl([
            "req", "-x509", "-newkey", "rsa:\(keyBits)", "-nodes", "-sha256", "-days", "3650",
            "-subj", "/CN=\(name)/O=as2-agent interop tests",
            "-keyout", party.keyPEM, "-out", party.certPEM,
        ])
        try openssl(["x509", "-in", party.certPEM, "-outform", "DER", "-out", party.certDER])
        try openssl([
            "pkcs12", "-export", "-inkey", party.keyPEM, "-in", party.certPEM, "-name", name,
            "-out", party.p12, "-passout", "pass:\(party.p12Password)",
        ])
        try openssl([
            "pkey", "-in", party.keyPEM, "-aes-256-cbc", "-out", party.encryptedKeyPEM,
            "-passout", "pass:\(party.encryptedKeyPassword)",
        ])
        return party
    }

    private static func openssl(_ arguments: [String]) throws {
        let outcome = try ProcessRunner.run(try InteropEnvironment.openssl(), arguments)
        guard outcome.succeeded else {
            throw InteropError.processFailed(
                command: "openssl " + arguments.prefix(2).joined(separator: " "), status: outcome.status,
                stderr: outcome.stderr)
        }
    }
}
