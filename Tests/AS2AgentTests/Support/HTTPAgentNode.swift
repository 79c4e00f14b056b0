import AS2Spool
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What one agent says about one partner in its agent.conf.
struct HTTPPartnerSpec {
    var name: String
    var party: HTTPTestParty
    var url: String
    var mdn = "sync"
    var mdnSigned = true
    var sign = "sha256"
    var encrypt = "aes256-cbc"
    var compress = "none"
    var retryCount = 3
    /// Extra `key = value` lines for the partner block.
    var extra: [String] = []
}

/// One `as2-agent run` process of a test, with its own directory, ports and agent.conf. Every
/// process is killed by the test case's teardown, also when the test fails.
final class HTTPAgentNode {
    let party: HTTPTestParty
    let directory: String
    let httpPort: Int
    let tlsPort: Int
    let adminPort: Int
    var partners: [HTTPPartnerSpec] = []
    /// Extra lines for the [http] table.
    var httpExtra: [String] = []
    var publicScheme = "http"
    private(set) var process: Process?
    private var logHandle: FileHandle?
    var configPath: String { directory + "/agent.conf" }
    var logPath: String { directory + "/agent.log" }
    var spool: String { directory + "/spool" }
    var state: String { directory + "/state" }

    init(as2ID: String, root: String, keyIndex: Int) throws {
        directory = root + "/" + as2ID.lowercased()
        party = try HTTPTestParty(as2ID: as2ID, directory: directory, keyIndex: keyIndex)
        httpPort = try HTTPSocket.freePort()
        tlsPort = try HTTPSocket.freePort()
        adminPort = try HTTPSocket.freePort()
    }

    var as2URL: String { "http://127.0.0.1:\(httpPort)/as2" }
    var tlsURL: String { "https://127.0.0.1:\(tlsPort)/as2" }

    /// A partner spec other agents use to reach this one.
    func asPartner(name: String, tls: Bool = false) -> HTTPPartnerSpec {
        var spec = HTTPPartnerSpec(name: name, party: party, url: tls ? tlsURL : as2URL)
        if tls { spec.extra += ["tls_pinned_certificate = \"\(party.certificatePath)\"", "tls_verify_hostname = false"] }
        return spec
    }

    func writeConfig() throws {
        let publicURL = publicScheme == "https" ? tlsURL : as2URL
        var lines = [
            "[agent]", "as2_id = \"\(party.as2ID)\"", "spool_dir = \"\(spool)\"", "state_dir = \"\(state)\"",
            "certificate = \"\(party.certificatePath)\"", "private_key = \"\(party.keyPath)\"", "log_level = \"debug\"", "",
            "[http]", "listen = \"127.0.0.1:\(httpPort)\"", "tls_listen = \"127.0.0.1:\(tlsPort)\"",
            "tls_certificate = \"\(party.certificatePath)\"", "tls_private_key = \"\(party.keyPath)\"",
            "admin_listen = \"127.0.0.1:\(adminPort)\"", "public_url = \"\(publicURL)\"",
        ] + httpExtra + ["", "[folders]", "send_concurrency = 2", ""]
        for p in partners {
            lines += [
                "[[partner]]", "name = \"\(p.name)\"", "as2_id = \"\(p.party.as2ID)\"", "url = \"\(p.url)\"",
                "certificate = \"\(p.party.certificatePath)\"", "sign = \"\(p.sign)\"", "encrypt = \"\(p.encrypt)\"",
                "compress = \"\(p.compress)\"", "mdn = \"\(p.mdn)\"", "mdn_signed = \(p.mdnSigned)",
                "content_type = \"application/octet-stream\"", "retry_count = \(p.retryCount)", "retry_interval = \"1s\"",
                "retry_backoff = 1.0", "connect_timeout = \"2s\"", "read_timeout = \"10s\"", "async_mdn_timeout = \"20s\"",
            ] + p.extra + [""]
        }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: configPath))
    }

    /// Starts `as2-agent run` and waits until /healthz answers 200.
    /// `output`: where stdout and stderr go instead of the log file (a pipe, in one test).
    func start(waitReady: Bool = true, output: Pipe? = nil) throws {
        try writeConfig()
        let binary = try HTTPAgentBinary.path()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", configPath, "--watcher", (binary as NSString).deletingLastPathComponent + "/as2-agent-watch"]
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        process.standardError = output ?? handle
        process.standardOutput = output ?? handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        logHandle = handle
        if waitReady { try self.waitReady() }
    }

    func waitReady(timeout: Double = 30) throws {
        let ok = HTTPWait.until(timeout: timeout) {
            guard process?.isRunning == true else { return true }
            return (try? HTTPSocket.exchange(port: adminPort, Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), timeout: 2))?.status == 200
        }
        guard ok, process?.isRunning == true else { throw HTTPTestError("\(party.as2ID) did not become ready:\n\(log)") }
    }

    /// SIGTERM and wait (a graceful drain); SIGKILL after `timeout`.
    func stop(timeout: Double = 15) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !HTTPWait.until(timeout: timeout, { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? logHandle?.close()
        logHandle = nil
    }

    /// SIGKILL: a crash.
    func crash() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? logHandle?.close()
        logHandle = nil
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    // MARK: Folders

    func folder(_ partner: String, _ sub: String) -> String { spool + "/\(partner)/\(sub)" }

    /// Writes a file into the partner's outbox the way operators should: a temp name, then rename.
    func drop(_ bytes: [UInt8], as name: String, to partner: String) throws {
        let outbox = folder(partner, "outbox")
        let temp = outbox + "/.\(name).tmp"
        try Data(bytes).write(to: URL(fileURLWithPath: temp))
        guard rename(temp, outbox + "/" + name) == 0 else { throw HTTPTestError("rename into outbox failed") }
    }

    func files(_ partner: String, _ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder(partner, sub))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func read(_ partner: String, _ sub: String, _ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: folder(partner, sub) + "/" + name).map { [UInt8]($0) }
    }

    func sidecar(_ partner: String, _ sub: String, _ name: String) -> ReceiptSidecar? {
        FileManager.default.contents(atPath: folder(partner, sub) + "/" + name + ".mdn.json").flatMap { try? ReceiptSidecar.decode(from: $0) }
    }

    /// Waits for `sent/<name>.mdn.json` (or `failed/<name>`, which fails fast).
    func waitSent(_ name: String, partner: String, timeout: Double = 30) throws -> ReceiptSidecar {
        var result: ReceiptSidecar?
        _ = HTTPWait.until(timeout: timeout) {
            // The sidecar is written before the document is moved: wait for both.
            result = FileManager.default.fileExists(atPath: folder(partner, "sent") + "/" + name) ? sidecar(partner, "sent", name) : nil
            return result != nil || FileManager.default.fileExists(atPath: folder(partner, "failed") + "/" + name + ".error.json")
        }
        guard let result else {
            let error = FileManager.default.contents(atPath: folder(partner, "failed") + "/" + name + ".error.json").map { String(decoding: $0, as: UTF8.self) }
            throw HTTPTestError("\(name) not in sent/ of \(party.as2ID) (failed: \(error ?? "no")).\n--- log:\n\(log.suffix(6000))")
        }
        return result
    }

    func admin(_ path: String) throws -> HTTPRawResponse? {
        try HTTPSocket.exchange(port: adminPort, Array("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), timeout: 5)
    }
}

/// The built `as2-agent` (next to the test bundle, as the CLI tests find it).
enum HTTPAgentBinary {
    static func path() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["AS2_AGENT_BIN"] { return explicit }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent("as2-agent").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw HTTPTestError("as2-agent not found beside \(CommandLine.arguments[0]); build with swift build --build-tests")
    }
}

/// Polling with a deadline (tests watch files and processes, not internal events).
enum HTTPWait {
    @discardableResult
    static func until(timeout: Double, interval: Double = 0.05, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: interval)
        }
        return condition()
    }
}
