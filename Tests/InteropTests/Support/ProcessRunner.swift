import Foundation

/// Runs a child process to completion with stdout and stderr captured through temporary files
/// (no pipe can fill up and stall the child), synchronously or with `await`.
public enum ProcessRunner {
    /// What a finished process left behind.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        public var succeeded: Bool { status == 0 }
    }

    /// Runs `executable` with `arguments`; `stdin` is fed from memory if given.
    public static func run(
        _ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil
    ) throws -> Outcome {
        let job = try Job(executable, arguments, stdin: stdin, environment: environment)
        try job.process.run()
        job.process.waitUntilExit()
        return try job.finish()
    }

    /// The same as `run`, suspending instead of blocking a thread while the child runs.
    public static func runAsync(
        _ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil
    ) async throws -> Outcome {
        let job = try Job(executable, arguments, stdin: stdin, environment: environment)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            job.process.terminationHandler = { _ in done.resume() }
            do {
                try job.process.run()
            } catch {
                job.process.terminationHandler = nil
                done.resume()
            }
        }
        guard !job.process.isRunning, job.process.processIdentifier != 0 else {
            throw InteropError.processFailed(command: executable, status: -1, stderr: "could not start")
        }
        return try job.finish()
    }

    /// A configured, not yet started process and the files that collect its output.
    private final class Job {
        let process = Process()
        let directory: URL
        let outURL: URL
        let errURL: URL

        init(_ executable: String, _ arguments: [String], stdin: Data?, environment: [String: String]?) throws {
            directory = try InteropEnvironment.makeTemporaryDirectory("as2-run")
            outURL = directory.appendingPathComponent("stdout")
            errURL = directory.appendingPathComponent("stderr")
            guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
                FileManager.default.createFile(atPath: errURL.path, contents: nil)
            else { throw InteropError.invalidArgument("cannot create output files in \(directory.path)") }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            if let environment { process.environment = environment }
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            if let stdin {
                let inURL = directory.appendingPathComponent("stdin")
                try stdin.write(to: inURL)
                process.standardInput = try FileHandle(forReadingFrom: inURL)
            } else {
                process.standardInput = FileHandle.nullDevice
            }
        }

        func finish() throws -> Outcome {
            defer { try? FileManager.default.removeItem(at: directory) }
            return Outcome(
                status: process.terminationStatus,
                stdout: try Data(contentsOf: outURL),
                stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
            )
        }
    }
}
