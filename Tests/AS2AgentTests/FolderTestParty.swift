import Foundation

/// One AS2 identity of a folder test: its own folder (keys, partner certificates, spool, state),
/// loopback ports, and an `agent.conf` written from its partner list.
final class FolderTestParty {
    /// How this party talks to one partner (one `[[partner]]` block).
    struct Partner {
        var name: String
        var as2ID: String
        var url: String
        /// PEM certificate file of the partner (copied into `partners/`).
        var certificate: String
        var extra: [String: String] = [:]
    }

    let name: String
    let as2ID: String
    let root: String
    let port: Int
    let adminPort: Int
    var partners: [Partner] = []
    var folderSettings: [String: String] = ["send_concurrency": "4"]

    init(name: String, as2ID: String, root: String) throws {
        self.name = name
        self.as2ID = as2ID
        self.root = root
        port = try FolderSupport.freePort()
        adminPort = try FolderSupport.freePort()
        let fm = FileManager.default
        for d in ["keys", "partners", "spool", "state"] { try fm.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true) }
        let keys = try FolderTestKeys.shared(for: name, as2ID: as2ID)
        try fm.copyItem(atPath: keys.key, toPath: keyPath)
        try fm.copyItem(atPath: keys.certificate, toPath: certificatePath)
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root + "/keys")
    }

    var keyPath: String { root + "/keys/\(name).key" }
    var certificatePath: String { root + "/keys/\(name).crt" }
    var configPath: String { root + "/agent.conf" }
    var url: String { "http://127.0.0.1:\(port)/as2" }
    var spool: String { root + "/spool" }

    func outbox(_ partner: String) -> String { spool + "/\(partner)/outbox" }
    func sent(_ partner: String) -> String { spool + "/\(partner)/sent" }
    func failed(_ partner: String) -> String { spool + "/\(partner)/failed" }
    func inbox(_ partner: String) -> String { spool + "/\(partner)/inbox" }

    /// Adds `other` as a partner (its certificate installed), with extra `[[partner]]` keys.
    func trust(_ other: FolderTestParty, _ extra: [String: String] = [:]) throws {
        try addPartner(Partner(name: other.name, as2ID: other.as2ID, url: other.url, certificate: other.certificatePath, extra: extra))
    }

    func addPartner(_ partner: Partner) throws {
        let target = root + "/partners/\(partner.name).crt"
        if !FileManager.default.fileExists(atPath: target) { try FileManager.default.copyItem(atPath: partner.certificate, toPath: target) }
        partners.removeAll { $0.name == partner.name }
        partners.append(partner)
    }

    /// Writes `agent.conf`: short retries so tests finish quickly.
    func writeConfiguration() throws {
        var text = """
            [agent]
            as2_id = "\(as2ID)"
            spool_dir = "spool"
            state_dir = "state"
            certificate = "keys/\(name).crt"
            private_key = "keys/\(name).key"
            log_level = "info"

            [http]
            listen = "127.0.0.1:\(port)"
            admin_listen = "127.0.0.1:\(adminPort)"
            public_url = "\(url)"

            [folders]

            """
        for (k, v) in folderSettings.sorted(by: { $0.key < $1.key }) { text += "\(k) = \(v)\n" }
        for p in partners {
            var keys: [String: String] = [
                "name": "\"\(p.name)\"", "as2_id": "\"\(p.as2ID)\"", "url": "\"\(p.url)\"",
                "certificate": "\"partners/\(p.name).crt\"", "retry_count": "60", "retry_interval": "\"1s\"",
                "retry_backoff": "1.0", "connect_timeout": "\"2s\"", "read_timeout": "\"30s\"",
            ]
            for (k, v) in p.extra { keys[k] = v }
            text += "\n[[partner]]\n"
            for (k, v) in keys.sorted(by: { $0.key < $1.key }) { text += "\(k) = \(v)\n" }
        }
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func agent() -> FolderAgentProcess {
        FolderAgentProcess(configPath: configPath, adminPort: adminPort, log: root + "/agent.log")
    }
}

/// Keys and certificates generated once per test run with `as2-agent keys generate` and copied
/// into each test's folders (RSA key generation is the slow part of a party's setup).
enum FolderTestKeys {
    struct Pair {
        let key: String
        let certificate: String
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Pair] = [:]
    private static let folder = NSTemporaryDirectory() + "as2-folder-keys-\(getpid())"

    static func shared(for name: String, as2ID: String) throws -> Pair {
        try lock.withLock {
            if let pair = cache[name + "|" + as2ID] { return pair }
            let out = folder + "/\(name)-\(as2ID.utf8.count)-\(abs(as2ID.hashValue))"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let result = try FolderCLI.run([
                "keys", "generate", "--as2-id", as2ID, "--name", name, "--out", out, "--bits", "2048", "--days", "30", "--force",
            ])
            guard result.status == 0 else { throw FolderTestError("keys generate failed: \(result.stderr)") }
            let pair = Pair(key: out + "/\(name).key", certificate: out + "/\(name).crt")
            if cache.isEmpty { atexit { try? FileManager.default.removeItem(atPath: FolderTestKeys.folder) } }
            cache[name + "|" + as2ID] = pair
            return pair
        }
    }
}
