#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// One `as2-agent run --config …` process on loopback. Its output goes to `log` (appended across
/// restarts); `stop()` sends SIGTERM, `kill()` SIGKILL. Call `stop()` or `kill()` before the test
/// ends (FolderTestCase does it for every process it started, also on failure).
final class FolderAgentProcess {
    let configPath: String
    let adminPort: Int
    let log: String
    private(set) var process: Process?

    init(configPath: String, adminPort: Int, log: String) {
        self.configPath = configPath
        self.adminPort = adminPort
        self.log = log
    }

    var pid: Int32? { process.map(\.processIdentifier) }
    var isRunning: Bool { process?.isRunning ?? false }

    /// Starts the agent and waits until its /healthz answers 200 (listening and watching).
    func start(timeout: TimeInterval = 30) throws {
        precondition(process == nil, "already started")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try FolderSupport.binary("as2-agent"))
        p.arguments = ["run", "--config", configPath, "--watcher", try FolderSupport.binary("as2-agent-watch")]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "AS2_AGENT_CONFIG")
        p.environment = env
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        try? handle.close()
        process = p
        let ready = FolderSupport.wait(timeout: timeout) { !p.isRunning || FolderSupport.httpStatus(port: adminPort, path: "/healthz") == 200 }
        guard ready, p.isRunning else {
            kill()
            throw FolderTestError("agent \(configPath) did not become healthy; log:\n\(tail())")
        }
    }

    /// SIGTERM and wait for a graceful exit (SIGKILL after `timeout`). Returns the exit status.
    @discardableResult
    func stop(timeout: TimeInterval = 20) -> Int32? {
        guard let p = process else { return nil }
        process = nil
        if p.isRunning { Glibc.kill(p.processIdentifier, SIGTERM) }
        if !FolderSupport.wait(timeout: timeout, { !p.isRunning }) {
            Glibc.kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return nil
        }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// SIGKILL: a crash at whatever point the agent is.
    func kill() {
        guard let p = process else { return }
        process = nil
        if p.isRunning { Glibc.kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    func signal(_ number: Int32) {
        if let pid { Glibc.kill(pid, number) }
    }

    /// The last lines of the log, for failure messages.
    func tail(lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Pids of this agent's `as2-agent-watch` children (from /proc).
    func watcherPIDs() -> [Int32] {
        guard let pid else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid && stat.contains("(as2-agent-watc")
        }
    }
}

/// Runs one `as2-agent` CLI command to completion.
enum FolderCLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try FolderSupport.binary("as2-agent"))
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "AS2_AGENT_CONFIG")
        env["COLUMNS"] = "200"
        p.environment = env
        let outPath = NSTemporaryDirectory() + "folder-cli-out-" + UUID().uuidString
        let errPath = NSTemporaryDirectory() + "folder-cli-err-" + UUID().uuidString
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardInput = FileHandle.nullDevice
        try p.run()
        if !FolderSupport.wait(timeout: timeout, { !p.isRunning }) {
            Glibc.kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        )
    }
}
