import Foundation
import XCTest

/// The `as2-agent` executable as operators and scripts use it: help texts, exit statuses,
/// check-config output, and the keys commands, run as a subprocess.
final class CLITests: XCTestCase {
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "as2-cli-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private func write(_ relative: String, _ text: String) throws -> String {
        let path = scratch + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    /// A working installation: our key pair, a partner certificate and a config using them.
    private func installation() throws -> String {
        try AgentProcess.run(["keys", "generate", "--as2-id", "ACME", "--out", scratch + "/keys", "--bits", "2048"])
        try AgentProcess.run(["keys", "generate", "--as2-id", "GLOBEX", "--out", scratch + "/partner", "--bits", "2048"])
        return try write(
            "agent.conf",
            """
            [agent]
            as2_id = "ACME"
            spool_dir = "."
            state_dir = "."
            certificate = "keys/acme.crt"
            private_key = "keys/acme.key"
            [http]
            listen = "127.0.0.1:0"
            admin_listen = ""
            [[partner]]
            name = "globex"
            as2_id = "GLOBEX"
            url = "https://as2.globex.example/as2"
            certificate = "partner/globex.crt"

            """)
    }

    // MARK: Help

    func testVersionIsTheOneInTheVERSIONFile() throws {
        // The package version lives in VERSION (packaging reads it); the binary must agree.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let expected = try String(contentsOf: root.appendingPathComponent("VERSION"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let r = try AgentProcess.run(["--version"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), expected)
    }

    func testRootHelpListsCommandsAndTheExitStatusTable() throws {
        let r = try AgentProcess.run(["--help"])
        XCTAssertEqual(r.status, 0)
        for text in ["USAGE: as2-agent <subcommand>", "check-config", "keys", "EXIT STATUS:", "64  usage error", "78  configuration error",
                     "2   a receipt (MDN) was verified, but it is negative", "AS2_AGENT_CONFIG"] {
            XCTAssertTrue(r.stdout.contains(text), "\(text) not in:\n\(r.stdout)")
        }
    }

    func testEverySubcommandHasHelpWithItsOptionsAndExitStatuses() throws {
        let expectations: [[String]: [String]] = [
            ["check-config"]: ["--config <path>", "--json", "--no-port-check", "/etc/as2-agent/agent.conf"],
            ["keys"]: ["generate", "csr", "show", "export"],
            ["keys", "generate"]: ["--as2-id <id>", "--out <dir>", "--bits <bits>", "--days <days>", "--password-file <file>", "--force", "0600"],
            ["keys", "csr"]: ["--key <file>", "--as2-id <id>", "--out <file>", "--password-file <file>"],
            ["keys", "show"]: ["<file>", "--json", "SHA-256", "--password-file <file>"],
            ["keys", "export"]: ["--cert <file>", "--der", "--out <file>", "never a key"],
            ["run"]: ["--config <path>", "--watcher <path>", "SIGHUP", "/healthz"],
            ["send"]: ["<file>", "--partner <name>", "--timeout <seconds>", "outbox"],
            ["messages"]: ["--partner <partner>", "--state <state>", "--direction <direction>", "--sha256 <sha256>", "--json"],
            ["message"]: ["show", "resend"],
            ["message", "show"]: ["<id>", "--json", "Message-ID"],
            ["message", "resend"]: ["<id>", "new Message-ID"],
            ["partner"]: ["test"],
            ["partner", "test"]: ["<name>", "--json", "signed"],
            ["inspect"]: ["<file>", "--key <path>", "--partner-cert <path>", "--extract <dir>", "--require-signature", "--min-sign <digest>"],
        ]
        for (command, texts) in expectations {
            let r = try AgentProcess.run(command + ["--help"])
            XCTAssertEqual(r.status, 0, command.joined(separator: " "))
            for text in texts + ["EXIT STATUS:", "78  configuration error"] {
                XCTAssertTrue(r.stdout.contains(text), "\(command): \(text) not in:\n\(r.stdout)")
            }
        }
    }

    func testInspectOfGarbageIsInvalidJSONWithExitStatus1() throws {
        let path = scratch + "/garbage.msg"
        try Data("Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nAS2-From: A\r\nAS2-To: B\r\nMessage-ID: <x@y>\r\n\r\nnot cms".utf8).write(to: URL(fileURLWithPath: path))
        let r = try AgentProcess.run(["inspect", path])
        XCTAssertEqual(r.status, 1)
        let verdict = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(verdict?["valid"] as? Bool, false, r.stdout)
        XCTAssertEqual(verdict?["kind"] as? String, "message", r.stdout)
        XCTAssertTrue((verdict?["disposition"] as? String ?? "").hasSuffix("decryption-failed"), r.stdout)
        XCTAssertEqual(try AgentProcess.run(["inspect", path, "--key", "k.pem"]).status, 64, "--key without --cert")
    }

    // MARK: Exit statuses

    func testUsageErrorsExit64() throws {
        XCTAssertEqual(try AgentProcess.run(["check-config", "--no-such-option"]).status, 64)
        XCTAssertEqual(try AgentProcess.run(["frobnicate"]).status, 64)
        XCTAssertEqual(try AgentProcess.run(["keys", "generate", "--as2-id", "ACME"]).status, 64, "missing --out")
        let bits = try AgentProcess.run(["keys", "generate", "--as2-id", "ACME", "--out", scratch, "--bits", "1000"])
        XCTAssertEqual(bits.status, 64)
        XCTAssertTrue(bits.stderr.contains("--bits must be 2048, 3072 or 4096"), bits.stderr)
        let id = try AgentProcess.run(["keys", "generate", "--as2-id", "ÄCME", "--out", scratch])
        XCTAssertEqual(id.status, 64)
        XCTAssertTrue(id.stderr.contains("printable ASCII"), id.stderr)
    }

    func testConfigurationErrorsExit78() throws {
        let missing = try AgentProcess.run(["check-config", "--config", scratch + "/nope.conf"])
        XCTAssertEqual(missing.status, 78)
        XCTAssertTrue(missing.stdout.contains("error: configuration file not found: \(scratch)/nope.conf"), missing.stdout)

        let bad = try write("bad.conf", "[agent]\nas2_id = \"ACME\"\ncertificate = \"c\"\nprivate_key = \"k\"\nsing = 1\n")
        let r = try AgentProcess.run(["check-config", "--config", bad, "--no-port-check"])
        XCTAssertEqual(r.status, 78)
        XCTAssertTrue(r.stdout.contains("\(bad):5:1: error: agent.sing: unknown key sing in [agent]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\(bad): invalid (2 errors"), r.stdout)
    }

    func testOperationFailuresExit1() throws {
        let r = try AgentProcess.run(["keys", "show", scratch + "/missing.crt"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "as2-agent: cannot read \(scratch)/missing.crt\n")
        let junk = try write("junk.pem", "not a certificate\n")
        XCTAssertEqual(try AgentProcess.run(["keys", "export", "--cert", junk]).status, 1)
    }

    // MARK: check-config

    func testCheckConfigPassesAValidInstallation() throws {
        let config = try installation()
        let r = try AgentProcess.run(["check-config", "--config", config])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("\(config): OK"), r.stdout)
        XCTAssertTrue(r.stdout.contains("partner globex (\"GLOBEX\") → https://as2.globex.example/as2"), r.stdout)
    }

    func testCheckConfigJSONForScripts() throws {
        let config = try installation()
        try FileManager.default.removeItem(atPath: scratch + "/partner/globex.crt")
        let r = try AgentProcess.run(["check-config", "--config", config, "--json"])
        XCTAssertEqual(r.status, 78)
        let report = try json(r.stdout)
        XCTAssertEqual(report["format"] as? Int, 1)
        XCTAssertEqual(report["valid"] as? Bool, false)
        XCTAssertEqual(report["errors"] as? Int, 1)
        XCTAssertEqual(report["as2_id"] as? String, "ACME")
        let problem = try XCTUnwrap((report["problems"] as? [[String: Any]])?.first)
        XCTAssertEqual(problem["severity"] as? String, "error")
        XCTAssertEqual(problem["code"] as? String, "file")
        XCTAssertEqual(problem["key"] as? String, "partner[globex].certificate")
        XCTAssertEqual(problem["line"] as? Int, 14)
        XCTAssertEqual(problem["column"] as? Int, 1)
        let partners = try XCTUnwrap(report["partners"] as? [[String: Any]])
        XCTAssertEqual(partners.first?["outbox"] as? String, scratch + "/globex/outbox")
    }

    func testConfigPathFromEnvironment() throws {
        let config = try installation()
        let r = try AgentProcess.run(["check-config", "--json"], environment: ["AS2_AGENT_CONFIG": config])
        XCTAssertEqual(try json(r.stdout)["config"] as? String, config)
        XCTAssertEqual(r.status, 0)
        let relative = try AgentProcess.run(["check-config", "--json", "--config", "agent.conf"], currentDirectory: scratch)
        XCTAssertEqual(try json(relative.stdout)["config"] as? String, config)
    }

    // MARK: keys

    func testGenerateShowRoundTrip() throws {
        let g = try AgentProcess.run(["keys", "generate", "--as2-id", "Acme Corp", "--out", scratch + "/k", "--bits", "2048", "--days", "30", "--organization", "Acme"])
        XCTAssertEqual(g.status, 0, g.stderr)
        let key = scratch + "/k/acme-corp.key"
        let certificate = scratch + "/k/acme-corp.crt"
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o600)
        XCTAssertTrue(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN " + "PRIVATE KEY-----"))

        let show = try json(try AgentProcess.run(["keys", "show", certificate, "--json"]).stdout)
        let c = try XCTUnwrap((show["certificates"] as? [[String: Any]])?.first)
        XCTAssertEqual(c["common_name"] as? String, "Acme Corp")
        XCTAssertEqual(c["subject"] as? String, "CN=Acme Corp,O=Acme")
        XCTAssertEqual(c["public_key_bits"] as? Int, 2048)
        XCTAssertEqual(c["valid_now"] as? Bool, true)
        XCTAssertEqual(c["self_signed"] as? Bool, true)
        XCTAssertEqual((c["key_usage"] as? [String]).map { $0.contains("digitalSignature") && $0.contains("keyEncipherment") }, true)
        let fingerprint = try XCTUnwrap(c["sha256_fingerprint"] as? String)
        XCTAssertEqual(fingerprint.count, 95)
        XCTAssertTrue(g.stdout.contains(fingerprint))

        let text = try AgentProcess.run(["keys", "show", certificate])
        XCTAssertTrue(text.stdout.contains("subject:        CN=Acme Corp,O=Acme"), text.stdout)
        XCTAssertTrue(text.stdout.contains("SHA-256:        \(fingerprint)"), text.stdout)
        XCTAssertTrue(text.stdout.contains("days left)"), text.stdout)

        let keyShow = try json(try AgentProcess.run(["keys", "show", key, "--json"]).stdout)
        XCTAssertEqual((keyShow["private_key"] as? [String: Any])?["bits"] as? Int, 2048)

        let again = try AgentProcess.run(["keys", "generate", "--as2-id", "Acme Corp", "--out", scratch + "/k"])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "as2-agent: \(key) exists; use --force to replace it\n")
    }

    func testEncryptedKeyNeedsItsPasswordFile() throws {
        let pass = try write("pw", "hunter2\n")
        let g = try AgentProcess.run(["keys", "generate", "--as2-id", "ACME", "--out", scratch, "--bits", "2048", "--password-file", pass])
        XCTAssertEqual(g.status, 0, g.stderr)
        XCTAssertTrue(try String(contentsOfFile: scratch + "/acme.key", encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED " + "PRIVATE KEY-----"))
        let without = try AgentProcess.run(["keys", "csr", "--key", scratch + "/acme.key", "--as2-id", "ACME"])
        XCTAssertEqual(without.status, 1)
        XCTAssertTrue(without.stderr.contains("is encrypted: give its passphrase with --password-file"), without.stderr)
        let csr = try AgentProcess.run(["keys", "csr", "--key", scratch + "/acme.key", "--as2-id", "ACME", "--password-file", pass])
        XCTAssertEqual(csr.status, 0, csr.stderr)
        XCTAssertTrue(csr.stdout.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----"), csr.stdout)
        XCTAssertTrue(csr.stdout.hasSuffix("-----END CERTIFICATE REQUEST-----\n"))
    }

    func testExportWritesCertificatesOnly() throws {
        try AgentProcess.run(["keys", "generate", "--as2-id", "ACME", "--out", scratch, "--bits", "2048"])
        let combined = try write(
            "combined.pem",
            try String(contentsOfFile: scratch + "/acme.key", encoding: .utf8) + String(contentsOfFile: scratch + "/acme.crt", encoding: .utf8))
        let pem = try AgentProcess.run(["keys", "export", "--cert", combined])
        XCTAssertEqual(pem.status, 0, pem.stderr)
        XCTAssertEqual(pem.stdout, try String(contentsOfFile: scratch + "/acme.crt", encoding: .utf8))
        XCTAssertFalse(pem.stdout.contains("PRIVATE KEY"))

        let der = try AgentProcess.run(["keys", "export", "--cert", combined, "--der", "--out", scratch + "/acme.der"])
        XCTAssertEqual(der.status, 0, der.stderr)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: scratch + "/acme.der"))
        XCTAssertEqual(bytes.first, 0x30, "DER SEQUENCE")
        let pemFingerprint = try json(try AgentProcess.run(["keys", "show", scratch + "/acme.crt", "--json"]).stdout)
        let derFingerprint = try json(try AgentProcess.run(["keys", "show", scratch + "/acme.der", "--json"]).stdout)
        XCTAssertEqual(
            (pemFingerprint["certificates"] as? [[String: Any]])?.first?["sha256_fingerprint"] as? String,
            (derFingerprint["certificates"] as? [[String: Any]])?.first?["sha256_fingerprint"] as? String)
    }
}
