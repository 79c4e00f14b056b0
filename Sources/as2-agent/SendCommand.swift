import AS2Bytes
import AS2Config
import AS2Crypto
import AS2HTTP
import AS2Spool
import ArgumentParser
import Foundation
import Logging

/// `as2-agent send FILE --partner NAME`: drop a file into the partner's outbox and wait for the
/// running agent's result.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a file to a partner through the running agent and wait for the receipt.",
        discussion: """
            Copies FILE into <spool>/<partner>/outbox/ atomically (a temporary dot-name, then a rename), \
            so the running agent picks it up, and waits until it appears in sent/ (with its receipt) or \
            failed/ (with the reason). Exits 0 when delivered, 2 when the partner's verified receipt is \
            negative, 1 on any other failure or timeout.

            \(ExitStatus.helpText)
            """
    )

    @Argument(help: "The file to send.")
    var file: String

    @Option(name: .long, help: ArgumentHelp("The partner's name (its [[partner]] name).", valueName: "name"))
    var partner: String

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for the result (0 = do not wait).", valueName: "seconds"))
    var timeout: Int = 600

    func run() async throws {
        let configuration: AgentConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: options.path)
        } catch {
            FileHandle.standardError.write(Data("as2-agent send: \(error)\n".utf8))
            throw ExitStatus.configuration.exitCode
        }
        guard let p = configuration.partner(named: partner) else {
            FileHandle.standardError.write(Data("as2-agent send: no partner named \(partner) in \(options.path)\n".utf8))
            throw ExitStatus.usage.exitCode
        }
        guard await agentIsRunning(configuration) else {
            FileHandle.standardError.write(Data("as2-agent send: no agent answers on the admin listener (\(configuration.http.adminListen?.description ?? "none configured")); start it with `as2-agent run` or `systemctl start as2-agent`\n".utf8))
            throw ExitStatus.failure.exitCode
        }
        let folders = try PartnerFolders(spoolRoot: configuration.agent.spoolDirectory, partner: p.name)
        let source = try FileByteSource(path: file)
        let sha = Hex.encode(try Digest.compute(.sha256, over: source))
        let name = FileSystem.baseName(file)
        let started = Date()
        let temp = folders.outbox + "/." + name + "." + FileSystem.uniqueName(prefix: "", suffix: ".part")
        let target = folders.outbox + "/" + name
        let sink = try FileSink(path: temp, exclusive: true, mode: 0o640)
        var copied = 0
        let large = source.count > 16 << 20
        try source.forEachChunk { chunk in
            try sink.write(chunk)
            copied += chunk.count
            if large, copied % (64 << 20) < chunk.count { FileHandle.standardError.write(Data("copied \(copied >> 20) MiB of \(source.count >> 20) MiB\n".utf8)) }
        }
        try sink.close(sync: true)
        // rename(2), not link + unlink: the outbox watcher sees a rename (IN_MOVED_TO), never a new link.
        guard !FileSystem.exists(target), rename(temp, target) == 0 else {
            try? FileSystem.remove(temp)
            FileHandle.standardError.write(Data("as2-agent send: \(target) already exists (a file of that name is waiting to be sent)\n".utf8))
            throw ExitStatus.failure.exitCode
        }
        print("queued \(target) (\(source.count) bytes, sha256 \(sha))")
        guard timeout > 0 else { return }
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            if let result = findResult(folders: folders, name: name, sha256: sha, since: started) {
                print(result.text)
                if result.status != .success { throw result.status.exitCode }
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        FileHandle.standardError.write(Data("as2-agent send: no result within \(timeout) s; the agent keeps working on it (see `as2-agent messages --partner \(p.name)`)\n".utf8))
        throw ExitStatus.failure.exitCode
    }

    struct Result {
        var status: ExitStatus
        var text: String
    }

    /// The sidecar in sent/ or failed/ that belongs to this file (same name stem, same sha256).
    func findResult(folders: PartnerFolders, name: String, sha256: String, since: Date) -> Result? {
        let fm = FileManager.default
        for (dir, suffix) in [(folders.sent, ".mdn.json"), (folders.failed, ".error.json")] {
            guard let entries = try? fm.subpathsOfDirectory(atPath: dir) else { continue }
            // The sidecar is written before the document moves in beside it: wait for both.
            for entry in entries where entry.hasSuffix(suffix) && fm.fileExists(atPath: dir + "/" + entry.dropLast(suffix.count)) {
                guard let data = fm.contents(atPath: dir + "/" + entry) else { continue }
                if suffix == ".mdn.json", let s = try? ReceiptSidecar.decode(from: data), s.file.sha256 == sha256,
                    s.file.originalName == name, (s.timestamps.queued ?? .distantPast) >= since.addingTimeInterval(-1) {
                    return Result(status: .success, text: "delivered: \(dir)/\(entry.dropLast(suffix.count)) — receipt \(s.mdn.disposition ?? "none requested")")
                }
                if suffix == ".error.json", let e = try? ErrorSidecar.decode(from: data), e.file.sha256 == sha256, e.file.originalName == name, e.failedAt >= since {
                    let negative = e.category == .negativeMDN
                    return Result(status: negative ? .negativeReceipt : .failure, text: "failed: \(dir)/\(entry.dropLast(suffix.count)) — \(e.reason)")
                }
            }
        }
        return nil
    }

    func agentIsRunning(_ configuration: AgentConfiguration) async -> Bool {
        guard let admin = configuration.http.adminListen else { return true }
        let host = admin.host == "0.0.0.0" || admin.host == "::" ? "127.0.0.1" : admin.host
        let client = HTTPClient(version: AgentVersion.current, logger: Logger(label: "send", factory: { _ in SwiftLogNoOpLogHandler() }))
        defer { Task { await client.shutdown() } }
        let request = HTTPClientRequest(url: "http://\(host):\(admin.port)/healthz", method: "GET", connectTimeout: .seconds(2), readTimeout: .seconds(5))
        return (try? await client.execute(request).status) == 200
    }
}

