import AS2Crypto
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

@testable import AS2Config

/// check-config's checks of the files agent.conf names, with keys and certificates made by
/// AS2Crypto during the test run.
final class FileChecksTests: XCTestCase {
    /// RSA keys are slow to make: one set per test run.
    struct Keys: Sendable {
        let ours: PrivateKey
        let partner: PrivateKey
        let other: PrivateKey
    }

    nonisolated(unsafe) static var cachedKeys: Keys?

    static func keys() throws -> Keys {
        if let cachedKeys { return cachedKeys }
        let keys = Keys(
            ours: try KeyGenerator.generateRSA(bits: 2048), partner: try KeyGenerator.generateRSA(bits: 2048),
            other: try KeyGenerator.generateRSA(bits: 2048))
        cachedKeys = keys
        return keys
    }

    /// A complete, valid installation in a temporary folder.
    final class Setup {
        let dir: TemporaryDirectory
        let keys: Keys
        var configText = ""
        let now = Date()

        init() throws {
            dir = try TemporaryDirectory()
            keys = try FileChecksTests.keys()
            _ = try dir.makeDirectory("spool")
            _ = try dir.makeDirectory("state")
            try writeKey("keys/acme.key", keys.ours)
            try writeCertificate("keys/acme.crt", keys.ours, "ACME")
            try writeCertificate("partners/globex.crt", keys.partner, "GLOBEX")
            configText = """
                [agent]
                as2_id = "ACME"
                spool_dir = "spool"
                state_dir = "state"
                certificate = "keys/acme.crt"
                private_key = "keys/acme.key"
                [http]
                listen = "127.0.0.1:0"
                admin_listen = "127.0.0.1:0"
                [[partner]]
                name = "globex"
                as2_id = "GLOBEX"
                url = "https://as2.globex.example/as2"
                certificate = "partners/globex.crt"

                """
        }

        func writeKey(_ path: String, _ key: PrivateKey, password: String? = nil, mode: Int = 0o600) throws {
            try dir.write(path, key.pem(password: password), mode: mode)
        }

        func writeCertificate(
            _ path: String, _ key: PrivateKey, _ name: String, notBefore: Date? = nil, days: Int = 365
        ) throws {
            // Valid from an hour before `now`: making keys on a busy machine can take seconds.
            let certificate = try KeyGenerator.selfSignedCertificate(
                key: key, commonName: name, organization: nil, validityDays: days, notBefore: notBefore ?? now - 3600)
            try dir.write(path, certificate.pem, mode: 0o644)
        }

        func report(checkPorts: Bool = false, now: Date? = nil) throws -> ConfigurationReport {
            let path = try dir.write("agent.conf", configText)
            return ConfigurationValidator.report(path: path, now: now ?? self.now, checkPorts: checkPorts)
        }

        func report<I: CryptoInspector>(inspector: I) throws -> ConfigurationReport {
            let path = try dir.write("agent.conf", configText)
            return ConfigurationValidator.report(path: path, now: now, checkPorts: false, inspector: inspector)
        }

        func replace(_ old: String, _ new: String) {
            precondition(configText.contains(old), old)
            configText = configText.replacingOccurrences(of: old, with: new)
        }
    }

    private func only(_ report: ConfigurationReport, file: StaticString = #filePath, line: UInt = #line) -> ConfigurationProblem? {
        XCTAssertEqual(report.problems.count, 1, "\(report.problems)", file: file, line: line)
        return report.problems.first
    }

    func testCompleteInstallationHasNoProblems() throws {
        let setup = try Setup()
        let report = try setup.report()
        XCTAssertEqual(report.problems, [])
        XCTAssertTrue(report.isValid)
        XCTAssertEqual(ConfigurationValidator.validate(path: setup.dir.path + "/agent.conf", now: setup.now).filter { $0.code != .port }, [])
    }

    func testMissingFileIsAnErrorAtItsKeyAndLine() throws {
        let setup = try Setup()
        try FileManager.default.removeItem(atPath: setup.dir.path + "/partners/globex.crt")
        let p = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(p.severity, .error)
        XCTAssertEqual(p.code, .file)
        XCTAssertEqual(p.keyPath, "partner[globex].certificate")
        XCTAssertEqual(p.line, 14)
        XCTAssertEqual(p.message, "cannot read \(setup.dir.path)/partners/globex.crt: No such file or directory")
    }

    func testMissingIdentityFilesSuggestTheCommandThatMakesThem() throws {
        let setup = try Setup()
        try FileManager.default.removeItem(atPath: setup.dir.path + "/keys/acme.key")
        try FileManager.default.removeItem(atPath: setup.dir.path + "/keys/acme.crt")
        let p = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(p.keyPath, "agent.private_key")
        XCTAssertEqual(p.suggestion, "generate them: as2-agent keys generate --as2-id ACME --out \(setup.dir.path)/keys")
        XCTAssertEqual(
            FileChecks<AS2CryptoInspector>.generateHint(as2ID: "Acme Corp", certificate: "/k/our.crt", key: "/k/our.key"),
            "generate them: as2-agent keys generate --as2-id 'Acme Corp' --out /k --name our")
        XCTAssertEqual(
            FileChecks<AS2CryptoInspector>.generateHint(as2ID: "ACME", certificate: "/k/our.pem", key: "/k/our.key"),
            "make a key and certificate with as2-agent keys generate, and name them here")
    }

    func testFileThatIsNotACertificate() throws {
        let setup = try Setup()
        try setup.dir.write("partners/globex.crt", "hello\n")
        let p = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(p.code, .certificate)
        XCTAssertTrue(p.message.hasPrefix("\(setup.dir.path)/partners/globex.crt holds no usable certificate"), p.message)
    }

    func testKeyMustMatchItsCertificate() throws {
        let setup = try Setup()
        try setup.writeKey("keys/acme.key", setup.keys.other)
        let p = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(p.keyPath, "agent.private_key")
        XCTAssertEqual(p.code, .key)
        XCTAssertEqual(p.message, "\(setup.dir.path)/keys/acme.key is not the private key of certificate \(setup.dir.path)/keys/acme.crt")
    }

    func testPasswordsMustOpenTheirKeys() throws {
        let setup = try Setup()
        try setup.writeKey("keys/acme.key", setup.keys.ours, password: "right")
        let noPassword = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(noPassword.keyPath, "agent.private_key")
        XCTAssertEqual(noPassword.code, .secret)
        XCTAssertEqual(noPassword.suggestion, "add private_key_password_file = \"/etc/as2-agent/secrets/...\"")

        try setup.dir.write("secrets/key.pass", "wrong\n")
        setup.configText = setup.configText.replacingOccurrences(
            of: "private_key = \"keys/acme.key\"\n", with: "private_key = \"keys/acme.key\"\nprivate_key_password_file = \"secrets/key.pass\"\n")
        let wrong = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(wrong.keyPath, "agent.private_key_password_file")
        XCTAssertEqual(wrong.message, "the password in \(setup.dir.path)/secrets/key.pass does not open \(setup.dir.path)/keys/acme.key")
        XCTAssertEqual(wrong.line, 7)

        try setup.dir.write("secrets/key.pass", "right\n")
        XCTAssertEqual(try setup.report().problems, [])
    }

    func testCertificateValidity() throws {
        let setup = try Setup()
        let day: TimeInterval = 86_400
        try setup.writeCertificate("keys/acme.crt", setup.keys.ours, "ACME", notBefore: setup.now - 400 * day, days: 390)
        let expired = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(expired.severity, .error)
        XCTAssertEqual(expired.keyPath, "agent.certificate")
        XCTAssertTrue(expired.message.hasPrefix("certificate \"CN=ACME\" expired on "), expired.message)

        try setup.writeCertificate("keys/acme.crt", setup.keys.ours, "ACME", notBefore: setup.now - 400 * day, days: 410)
        let soon = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(soon.severity, .warning)
        XCTAssertTrue(soon.message.hasSuffix("(in 9 days)") || soon.message.hasSuffix("(in 10 days)"), soon.message)

        try setup.writeCertificate("keys/acme.crt", setup.keys.ours, "ACME", notBefore: setup.now + 2 * day, days: 365)
        let early = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(early.severity, .error)
        XCTAssertTrue(early.message.contains("is not valid before"), early.message)

        // `now` moves the check: a valid certificate seen from two years later.
        try setup.writeCertificate("keys/acme.crt", setup.keys.ours, "ACME")
        let later = try setup.report(now: setup.now + 800 * day)
        XCTAssertEqual(Set(later.problems.map(\.keyPath)), ["agent.certificate", "partner[globex].certificate"])
        XCTAssertTrue(later.problems.allSatisfy { $0.severity == .error })
    }

    func testExpiredPartnerCertificateMayBeAllowedForVerificationOnly() throws {
        let setup = try Setup()
        try setup.writeCertificate("partners/globex.crt", setup.keys.partner, "GLOBEX", notBefore: setup.now - 800 * 86_400, days: 365)
        setup.configText += "allow_expired_certificate = true\n"
        XCTAssertEqual(try setup.report().problems.map(\.severity), [.error], "we never encrypt to an expired certificate")
        setup.configText += "encrypt = \"none\"\nrequire_encryption = false\n"
        let p = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(p.severity, .warning)
        XCTAssertEqual(p.keyPath, "partner[globex].certificate")
    }

    func testPreviousKeysPairWithTheirCertificates() throws {
        let setup = try Setup()
        try setup.writeKey("keys/old.key", setup.keys.other)
        setup.configText = setup.configText.replacingOccurrences(
            of: "[http]", with: "previous_private_keys = [\"keys/old.key\"]\n[http]")
        let unpaired = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(unpaired.keyPath, "agent.previous_private_keys")
        XCTAssertEqual(unpaired.suggestion, "add its certificate to previous_certificates")

        try setup.writeCertificate("keys/old.crt", setup.keys.other, "ACME")
        setup.configText = setup.configText.replacingOccurrences(
            of: "[http]", with: "previous_certificates = [\"keys/old.crt\"]\n[http]")
        XCTAssertEqual(try setup.report().problems, [])

        // A PEM file holding both the previous key and its certificate needs no previous_certificates.
        let combined = try String(contentsOfFile: setup.dir.path + "/keys/old.key", encoding: .utf8)
            + String(contentsOfFile: setup.dir.path + "/keys/old.crt", encoding: .utf8)
        try setup.dir.write("keys/old.key", combined)
        setup.replace("previous_certificates = [\"keys/old.crt\"]\n", "")
        XCTAssertEqual(try setup.report().problems, [])

        // A previous certificate whose key is not listed is reported as unused.
        try setup.writeCertificate("keys/stray.crt", setup.keys.partner, "X")
        setup.configText = setup.configText.replacingOccurrences(
            of: "[http]", with: "previous_certificates = [\"keys/stray.crt\"]\n[http]")
        let stray = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(stray.severity, .warning)
        XCTAssertEqual(stray.keyPath, "agent.previous_certificates")
    }

    func testPKCS12IdentityAndItsPassword() throws {
        let setup = try Setup()
        let certificate = try KeyGenerator.selfSignedCertificate(
            key: setup.keys.ours, commonName: "ACME", organization: nil, validityDays: 365, notBefore: setup.now - 3600)
        let p12 = try Identity(certificate: certificate, privateKey: setup.keys.ours).pkcs12(password: "p12pw")
        let p12Path = setup.dir.path + "/keys/acme.p12"
        try Data(p12).write(to: URL(fileURLWithPath: p12Path))
        try setup.dir.write("secrets/p12.pass", "p12pw\n")
        setup.replace("certificate = \"keys/acme.crt\"\nprivate_key = \"keys/acme.key\"\n", "pkcs12 = \"keys/acme.p12\"\npkcs12_password_file = \"secrets/p12.pass\"\n")
        XCTAssertEqual(try setup.report().problems, [])

        try setup.dir.write("secrets/p12.pass", "nope\n")
        let wrong = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(wrong.keyPath, "agent.pkcs12_password_file")
        XCTAssertEqual(wrong.code, .secret)
    }

    func testOurKeyNeedsAtLeast2048Bits() throws {
        struct SmallKeys: CryptoInspector {
            let real = AS2CryptoInspector()
            func loadCertificates(path: String) throws -> [Certificate] { try real.loadCertificates(path: path) }
            func facts(of certificate: Certificate) -> CertificateFacts { real.facts(of: certificate) }
            func loadPrivateKey(path: String, password: String?) throws(KeyLoadFailure) -> PrivateKey {
                try real.loadPrivateKey(path: path, password: password)
            }
            func loadPKCS12(path: String, password: String?) throws(KeyLoadFailure) -> (key: PrivateKey, certificates: [Certificate]) {
                try real.loadPKCS12(path: path, password: password)
            }
            func key(_ key: PrivateKey, matches certificate: Certificate) -> Bool { real.key(key, matches: certificate) }
            func bits(of key: PrivateKey) -> Int? { 1024 }
        }
        let setup = try Setup()
        let p = try XCTUnwrap(only(try setup.report(inspector: SmallKeys())))
        XCTAssertEqual(p.keyPath, "agent.private_key")
        XCTAssertEqual(p.message, "the key has 1024 bits; our keys need at least 2048")
    }

    func testWorldReadableKeyIsAWarning() throws {
        let setup = try Setup()
        try setup.writeKey("keys/acme.key", setup.keys.ours, mode: 0o644)
        let p = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(p.severity, .warning)
        XCTAssertEqual(p.suggestion, "chmod 600 \(setup.dir.path)/keys/acme.key")
    }

    func testFoldersMustBeWritableDirectories() throws {
        let setup = try Setup()
        try FileManager.default.removeItem(atPath: setup.dir.path + "/spool")
        let missing = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(missing.severity, .warning)
        XCTAssertEqual(missing.keyPath, "agent.spool_dir")
        try setup.dir.write("spool", "not a folder")
        let file = try XCTUnwrap(only(try setup.report()))
        XCTAssertEqual(file.severity, .error)
        XCTAssertEqual(file.message, "\(setup.dir.path)/spool exists but is not a directory")
    }

    func testBusyListenPortIsAWarningAndForeignAddressAnError() throws {
        let setup = try Setup()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        setup.replace("listen = \"127.0.0.1:0\"\nadmin", "listen = \"127.0.0.1:\(port)\"\nadmin")
        let busy = try XCTUnwrap(only(try setup.report(checkPorts: true)))
        XCTAssertEqual(busy.code, .port)
        XCTAssertEqual(busy.severity, .warning)
        XCTAssertEqual(busy.keyPath, "http.listen")
        XCTAssertEqual(busy.message, "127.0.0.1:\(port) is in use (by a running agent, or another program)")

        setup.replace("listen = \"127.0.0.1:\(port)\"\nadmin", "listen = \"192.0.2.1:4080\"\nadmin")
        let foreign = try XCTUnwrap(only(try setup.report(checkPorts: true)))
        XCTAssertEqual(foreign.severity, .error)
        XCTAssertTrue(foreign.message.hasPrefix("cannot bind 192.0.2.1:4080"), foreign.message)
    }

    func testNothingIsCheckedOnDiskWhenTheConfigurationIsUnusable() throws {
        let setup = try Setup()
        setup.replace("as2_id = \"ACME\"\n", "")
        try FileManager.default.removeItem(atPath: setup.dir.path + "/keys/acme.crt")
        let report = try setup.report()
        XCTAssertNil(report.configuration)
        XCTAssertEqual(report.problems.map(\.keyPath), ["agent.as2_id"])
        XCTAssertFalse(report.isValid)
    }
}
