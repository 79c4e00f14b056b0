import Foundation
import Synchronization

/// A running `as2http.py serve`: a pyas2lib AS2 receiver on 127.0.0.1 that answers sync MDNs,
/// POSTs async ones, and reports one JSON event per request (with timings).
public final class AS2HTTPServer: Sendable {
    /// The port it listens on.
    public let port: Int
    /// Where partners POST messages.
    public var url: String { "http://127.0.0.1:\(port)/as2" }

    private let process: Synchronization.Mutex<Process?>
    private let stdin: FileHandle
    private let state: Synchronization.Mutex<State>
    private let stderr: StderrTail
    private let directory: URL

    private struct State {
        var lines: [JSONValue] = []
        var ended = false
    }

    private init(port: Int, process: Process, stdin: FileHandle, stderr: StderrTail, directory: URL) {
        self.port = port
        self.directory = directory
        self.process = Synchronization.Mutex(process)
        self.stdin = stdin
        self.stderr = stderr
        self.state = Synchronization.Mutex(State())
    }

    /// Starts a server with `config` (written to a temp file) on `port` (0: any free port) and
    /// waits for its ready line.
    public static func start(
        config: AS2HTTPConfig, port: Int = 0, readyTimeout: Duration = .seconds(60)
    ) async throws -> AS2HTTPServer {
        let python = try InteropEnvironment.python()
        let script = try InteropEnvironment.script("as2http.py")
        let dir = try InteropEnvironment.makeTemporaryDirectory("as2http-serve")
        let configPath = dir.appendingPathComponent("config.json")
        try JSONEncoder().encode(config).write(to: configPath)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-u", script, "serve", "--port", String(port), "--config", configPath.path, "--exit-on-stdin-eof",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        signal(SIGPIPE, SIG_IGN)
        try process.run()

        let lines = Collector()
        let tail = StderrTail()
        LineReader.start(
            stdoutPipe.fileHandleForReading,
            onLine: { line in lines.append(line) },
            onEnd: { lines.end() })
        LineReader.drain(stderrPipe.fileHandleForReading, into: tail)

        let deadline = ContinuousClock.now + readyTimeout
        while true {
            if let ready = lines.first(where: { $0["ready"]?.boolValue == true }),
                let port = ready["port"]?.numberValue
            {
                let server = AS2HTTPServer(
                    port: Int(port), process: process, stdin: stdinPipe.fileHandleForWriting, stderr: tail,
                    directory: dir)
                lines.forward(to: server)
                return server
            }
            let late = ContinuousClock.now > deadline
            if lines.hasEnded || !process.isRunning || late {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                try? FileManager.default.removeItem(at: dir)
                let why = late ? "no ready line within \(readyTimeout)" : "exited (\(process.terminationStatus))"
                throw InteropError.serverNotReady("\(why): \(tail.text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Every JSON line printed so far after the ready line (events: "message", "mdn_received",
    /// "async_mdn_sent", "injected_failure", "error", "stopped").
    public var events: [JSONValue] { state.withLock { $0.lines } }

    /// Events whose "event" field is `kind`.
    public func events(_ kind: String) -> [JSONValue] {
        events.filter { $0["event"]?.stringValue == kind }
    }

    /// Waits until an event of `kind` satisfying `predicate` is printed.
    public func waitForEvent(
        _ kind: String, timeout: Duration = .seconds(60), where predicate: @Sendable (JSONValue) -> Bool = { _ in true }
    ) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let event = events(kind).first(where: predicate) { return event }
            if state.withLock({ $0.ended }) {
                throw InteropError.serverNotReady("server ended before a '\(kind)' event: \(stderr.text)")
            }
            if ContinuousClock.now > deadline {
                throw InteropError.serverNotReady("no '\(kind)' event within \(timeout); events: \(events)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The server's stderr (tail).
    public var stderrText: String { stderr.text }

    /// Sends SIGTERM and waits for the exit and its last output; returns the exit status (0 = clean).
    @discardableResult
    public func stop() async -> Int32 {
        guard let process = process.withLock({ $0 }) else { return 0 }
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? stdin.close()
        while !state.withLock({ $0.ended }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))  // let the reader take the last lines
        }
        try? FileManager.default.removeItem(at: directory)
        return process.terminationStatus
    }

    deinit {
        if let process = process.withLock({ $0 }), process.isRunning { process.terminate() }
    }

    fileprivate func record(_ line: JSONValue) {
        state.withLock { $0.lines.append(line) }
    }

    fileprivate func recordEnd() {
        state.withLock { $0.ended = true }
    }

    /// Collects lines until the server object exists, then forwards to it.
    private final class Collector: Sendable {
        private struct Inner {
            var lines: [JSONValue] = []
            var ended = false
            weak var server: AS2HTTPServer?
        }
        private let inner = Synchronization.Mutex(Inner())

        func append(_ data: Data) {
            let value = (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .string(String(decoding: data, as: UTF8.self))
            inner.withLock { state in
                if let server = state.server { server.record(value) } else { state.lines.append(value) }
            }
        }

        func end() {
            inner.withLock { state in
                state.ended = true
                state.server?.recordEnd()
            }
        }

        var hasEnded: Bool { inner.withLock { $0.ended } }

        func first(where predicate: (JSONValue) -> Bool) -> JSONValue? {
            inner.withLock { $0.lines.first(where: predicate) }
        }

        /// Hands over: lines after the ready line go to `server`, later ones straight to it.
        func forward(to server: AS2HTTPServer) {
            inner.withLock { state in
                var afterReady = false
                for line in state.lines {
                    if afterReady { server.record(line) }
                    if line["ready"]?.boolValue == true { afterReady = true }
                }
                state.lines = []
                if state.ended { server.recordEnd() }
                state.server = server
            }
        }
    }
}
