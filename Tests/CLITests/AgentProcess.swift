import Foundation
import XCTest

/// Runs the built `as2-agent` binary (found beside the test bundle in the build folder) and
/// collects its exit status and output.
struct AgentProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        let stdoutBytes: Data
    }

    /// `.build/<config>/as2-agent`, next to the test bundle.
    static func binary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["AS2_AGENT_BIN"] { return explicit }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("as2-agent").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw BinaryNotFound(testBundle: CommandLine.arguments[0])
    }

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "AS2_AGENT_CONFIG")
        env["COLUMNS"] = "100"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        // stderr goes to a file, so the child never blocks on one pipe while we drain the other.
        let errPath = NSTemporaryDirectory() + "as2-agent-stderr-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: errPath, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errFile
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errFile.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: outData)
    }
}

/// The test bundle is expected in the same build folder as the executable.
struct BinaryNotFound: Error, CustomStringConvertible {
    let testBundle: String
    var description: String { "as2-agent binary not found next to \(testBundle); build with swift build --build-tests" }
}
