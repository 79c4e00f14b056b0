#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Synchronization

/// One running `as2-agent-watch`: spawned with pipes on stdin/stdout/stderr, read by two plain
/// threads (blocking reads never occupy the Swift concurrency pool), reaped exactly once.
/// The only mutable state (whether the child was reaped, our end of its stdin) is in a Mutex.
final class WatchProcess: Sendable {
    /// What the program's threads (and the `Watcher`) put into the watcher's single queue.
    enum Output: Sendable {
        case line(generation: Int, WatchProtocol.Line)
        case exited(generation: Int, status: Int32, lastError: String?)
        /// Not from a program: `Watcher.reload` asks for a restart with the new folder list.
        case reload
    }

    let pid: pid_t
    let generation: Int
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private struct State {
        var reaped = false
        var stdinFD: Int32
    }
    private let state: Mutex<State>

    /// Starts `executable` with `directories` as arguments; output goes to `sink`.
    init(
        executable: String, directories: [String], generation: Int,
        sink: AsyncStream<Output>.Continuation, logger: Logger
    ) throws {
        func makePipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else {
                throw SpoolError(.watchProgram, "cannot create a pipe for \(executable): \(SystemErrorText.current)")
            }
            // Glibc's module does not export pipe2; mark both ends close-on-exec right away.
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }
        let input = try makePipe()
        let output = try makePipe()
        let errors = try makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The agent may ignore SIGPIPE or block signals; the child starts with the defaults.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGTERM)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [executable] + directories
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        var cEnv: [UnsafeMutablePointer<CChar>?] =
            ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cEnv.forEach { free($0) } }
        let rc = posix_spawn(&pid, executable, &actions, &attributes, &cArgs, &cEnv)
        for fd in [input.read, output.write, errors.write] { close(fd) }
        guard rc == 0 else {
            for fd in [input.write, output.read, errors.read] { close(fd) }
            throw SpoolError(.watchProgram, "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
        let spawnedPID = pid
        self.generation = generation
        self.stdoutFD = output.read
        self.stderrFD = errors.read
        self.state = Mutex(State(stdinFD: input.write))

        let lastError = Locked<String?>(nil)
        let errorsDone = Locked(false)
        let errorReader = Thread { [errors] in
            Self.readLines(errors.read) { line in
                let text = String(decoding: line, as: UTF8.self)
                lastError.withLock { $0 = text }
                logger.warning("as2-agent-watch: \(text)", metadata: ["as2.watch_pid": "\(spawnedPID)"])
            }
            close(errors.read)
            errorsDone.withLock { $0 = true }
        }
        errorReader.name = "as2-agent-watch stderr"
        errorReader.start()
        let outputReader = Thread { [self] in
            Self.readLines(output.read) { line in
                if let parsed = WatchProtocol.parse(line) {
                    sink.yield(.line(generation: generation, parsed))
                } else {
                    logger.info("unknown line from as2-agent-watch", metadata: ["as2.line": "\(String(decoding: line, as: UTF8.self))"])
                }
            }
            close(output.read)
            let status = self.reap()
            // Give stderr a moment to drain so the exit report carries the program's last words.
            for _ in 0..<100 where !errorsDone.withLock({ $0 }) { usleep(2_000) }
            sink.yield(.exited(generation: generation, status: status, lastError: lastError.withLock { $0 }))
        }
        outputReader.name = "as2-agent-watch stdout"
        outputReader.start()
    }

    /// Closes the program's stdin (it exits at end-of-file) and sends SIGTERM while it is ours.
    func stop() {
        closeInput()
        state.withLock { s in
            if !s.reaped { kill(pid, SIGTERM) }
        }
    }

    /// Closes the program's stdin only, as when the agent dies.
    func closeInput() {
        state.withLock { s in
            if s.stdinFD >= 0 {
                close(s.stdinFD)
                s.stdinFD = -1
            }
        }
    }

    /// Sends `signal` while the child is ours (not yet reaped).
    func send(signal: Int32) {
        state.withLock { s in
            if !s.reaped { kill(pid, signal) }
        }
    }

    /// Waits for the child to exit without reaping, then reaps it under the lock, so `stop`
    /// never signals a pid that was reaped and reused. Returns the wait status.
    private func reap() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        return state.withLock { s in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            s.reaped = true
            if s.stdinFD >= 0 {
                close(s.stdinFD)
                s.stdinFD = -1
            }
            return status
        }
    }

    /// Reads `fd` to end-of-file, calling `body` with each complete line (without `\n`).
    private static func readLines(_ fd: Int32, _ body: (ArraySlice<UInt8>) -> Void) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: buffer[0..<n])
            var start = pending.startIndex
            while let nl = pending[start...].firstIndex(of: 0x0a) {
                body(pending[start..<nl])
                start = nl + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty { body(pending[...]) }
    }

    /// A readable description of a wait status.
    static func describe(status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        return "killed by signal \(signal)"
    }
}

/// A value behind a Mutex that escaping closures can share.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}

/// errno as text, for messages.
enum SystemErrorText {
    static var current: String { String(cString: strerror(errno)) }
}
