import Foundation

/// The long-lived `as2peer.py` process (pyas2lib 1.4.4 + the openssl CLI) behind JSON lines.
///
/// One shared instance per test process, started on first use and restarted after a timeout or
/// a crash. Requests may come from concurrent tasks; each has its own timeout. Without the venv's
/// Python every request throws (tests fail, never skip) with "run `make venv` (or `make test`)".
public actor InteropPeer {
    /// The process-wide peer.
    public static let shared = InteropPeer()

    /// Per-request timeout used when a call does not give one (5 MiB through pyas2lib takes
    /// about 2 s on a busy 2-core machine).
    public private(set) var defaultTimeout: Duration = .seconds(120)

    /// Changes `defaultTimeout`.
    public func setDefaultTimeout(_ timeout: Duration) {
        defaultTimeout = timeout
    }

    private struct Child {
        let process: Process
        let stdin: FileHandle
        let stderr: StderrTail
        let generation: Int
    }

    private struct Pending {
        let command: String
        let generation: Int
        let continuation: CheckedContinuation<Data, any Error>
        let timer: Task<Void, Never>
    }

    private var child: Child?
    private var generation = 0
    private var nextID = 1
    private var pending: [Int: Pending] = [:]

    public init() {}

    /// Sends `command` with `params` (its fields are merged into the request object) and decodes
    /// the response line as `R`. Throws `InteropError.peerFailed` when the peer answers `ok: false`.
    public func call<P: Encodable & Sendable, R: Decodable>(
        _ command: String, _ params: P, as type: R.Type = R.self, timeout: Duration? = nil
    ) async throws -> R {
        let line = try await request(command, params, timeout: timeout)
        do {
            return try JSONDecoder().decode(R.self, from: line)
        } catch {
            throw InteropError.badResponse(
                command: command, line: String(decoding: line, as: UTF8.self), underlying: "\(error)")
        }
    }

    /// Sends one request and returns the raw response line (a JSON object with `"ok": true`).
    public func request<P: Encodable & Sendable>(_ command: String, _ params: P, timeout: Duration? = nil) async throws -> Data {
        let child = try running()
        let id = nextID
        nextID += 1
        var line = try JSONEncoder().encode(RequestEnvelope(id: id, cmd: command, params: params))
        line.append(10)
        let limit = timeout ?? defaultTimeout
        return try await withCheckedThrowingContinuation { continuation in
            let timer = Task { [weak self] in
                try? await Task.sleep(for: limit)
                guard !Task.isCancelled else { return }
                await self?.timedOut(id: id, after: limit)
            }
            pending[id] = Pending(command: command, generation: child.generation, continuation: continuation, timer: timer)
            do {
                try child.stdin.write(contentsOf: line)
            } catch {
                stop(generation: child.generation)
            }
        }
    }

    /// Stops the peer process (the next request starts a new one).
    public func shutdown() {
        if let child { stop(generation: child.generation) }
    }

    // MARK: - process

    private func running() throws -> Child {
        if let child, child.process.isRunning { return child }
        if let child { stop(generation: child.generation) }
        signal(SIGPIPE, SIG_IGN)  // a dead peer must give EPIPE errors, not kill the tests
        let python = try InteropEnvironment.python()
        let script = try InteropEnvironment.script("as2peer.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", script]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        generation += 1
        let tail = StderrTail()
        let new = Child(process: process, stdin: stdin.fileHandleForWriting, stderr: tail, generation: generation)
        child = new
        let (lines, sink) = AsyncStream<Data>.makeStream()
        LineReader.start(stdout.fileHandleForReading, onLine: { sink.yield($0) }, onEnd: { sink.finish() })
        LineReader.drain(stderr.fileHandleForReading, into: tail)
        let gen = generation
        Task { [weak self] in
            for await line in lines {
                await self?.deliver(line)
            }
            await self?.ended(generation: gen)
        }
        return new
    }

    private func deliver(_ line: Data) {
        guard let head = try? JSONDecoder().decode(ResponseHead.self, from: line), let id = head.id,
            let waiter = pending.removeValue(forKey: id)
        else { return }
        waiter.timer.cancel()
        if head.ok {
            waiter.continuation.resume(returning: line)
        } else {
            waiter.continuation.resume(
                throwing: InteropError.peerFailed(
                    command: waiter.command, error: head.error ?? "unknown error", traceback: head.traceback))
        }
    }

    private func ended(generation gen: Int) {
        stop(generation: gen)
    }

    private func timedOut(id: Int, after limit: Duration) {
        guard let waiter = pending.removeValue(forKey: id) else { return }
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let stderr = child?.generation == waiter.generation ? child?.stderr.text ?? "" : ""
        waiter.continuation.resume(
            throwing: InteropError.peerTimeout(command: waiter.command, id: id, seconds: seconds, stderr: stderr))
        stop(generation: waiter.generation)
    }

    /// Ends the process of `gen` (if still current) and fails every request still waiting on it.
    private func stop(generation gen: Int) {
        var status: Int32?
        var stderr = ""
        if let current = child, current.generation == gen {
            child = nil
            try? current.stdin.close()  // the peer exits at end of input
            if current.process.isRunning { current.process.terminate() }
            let deadline = Date().addingTimeInterval(2)
            while current.process.isRunning && Date() < deadline { usleep(5_000) }
            if current.process.isRunning {  // stuck in a request: no mercy
                kill(current.process.processIdentifier, SIGKILL)
                current.process.waitUntilExit()
            }
            status = current.process.terminationStatus
            stderr = current.stderr.text
        }
        let error = InteropError.peerExited(status: status, stderr: stderr)
        for (id, waiter) in pending where waiter.generation == gen {
            pending.removeValue(forKey: id)
            waiter.timer.cancel()
            waiter.continuation.resume(throwing: error)
        }
    }
}

/// `{"id": n, "cmd": "...", <params fields>}`.
private struct RequestEnvelope<P: Encodable>: Encodable {
    let id: Int
    let cmd: String
    let params: P

    private enum Keys: String, CodingKey { case id, cmd }

    func encode(to encoder: any Encoder) throws {
        try params.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        try container.encode(cmd, forKey: .cmd)
    }
}

/// The fields every response has.
private struct ResponseHead: Decodable {
    let id: Int?
    let ok: Bool
    let error: String?
    let traceback: String?
}
