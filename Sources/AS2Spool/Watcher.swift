#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// Watches outboxes through the `as2-agent-watch` program (GPL code stays in its own process;
/// DESIGN.md §4) and turns its lines into `WatchEvent`s on `events`, with ignored names left
/// out. The program is restarted when it dies (`.needsRescan` once it is ready again) and on
/// `reload(directories:)`. `run()` keeps it going until the calling task is cancelled.
public actor Watcher {
    public struct Configuration: Sendable {
        /// The program to run; nil finds it with `Watcher.locateProgram()`.
        public var executable: String?
        /// Names to leave out of `.fileReady` and `.newDirectory` events.
        public var rules: IgnoreRules
        /// First wait before restarting a program that died; doubles up to `maxRestartDelay`.
        public var restartDelay: Duration
        public var maxRestartDelay: Duration

        public init(
            executable: String? = nil, rules: IgnoreRules = .standard,
            restartDelay: Duration = .milliseconds(200), maxRestartDelay: Duration = .seconds(10)
        ) {
            self.executable = executable
            self.rules = rules
            self.restartDelay = restartDelay
            self.maxRestartDelay = maxRestartDelay
        }
    }

    /// The events, in order. Finishes when `run()` returns.
    public nonisolated let events: AsyncStream<WatchEvent>
    private let eventSink: AsyncStream<WatchEvent>.Continuation
    private let configuration: Configuration
    private let logger: Logger
    private var directories: [String] {
        didSet { watched = Set(directories) }
    }
    /// `directories` for lookups: an event's root is found among its path's ancestors.
    private var watched: Set<String>
    private var process: WatchProcess?
    private var generation = 0
    private var hasRun = false
    private let outputs: AsyncStream<WatchProcess.Output>
    private let outputSink: AsyncStream<WatchProcess.Output>.Continuation

    /// `directories` are the outbox folders to watch, each with its subfolders.
    public init(directories: [String], configuration: Configuration = Configuration(), logger: Logger) {
        (events, eventSink) = AsyncStream.makeStream(of: WatchEvent.self)
        (outputs, outputSink) = AsyncStream.makeStream(of: WatchProcess.Output.self)
        let trimmed = directories.map(OutboxScanner.trimmed)
        self.directories = trimmed
        watched = Set(trimmed)
        self.configuration = configuration
        self.logger = logger
    }

    /// The pid of the running program, if any (for diagnostics).
    public var programPID: Int32? { process?.pid }

    /// Replaces the folder list: the program is restarted with it and `.ready` follows.
    public func reload(directories: [String]) {
        self.directories = directories.map(OutboxScanner.trimmed)
        outputSink.yield(.reload)
    }

    /// Runs the program until the task is cancelled. Throws only when the program cannot be
    /// found; a program that fails is logged and restarted with a growing delay.
    public func run() async throws {
        guard !hasRun else { throw SpoolError(.watchProgram, "Watcher.run() may be called only once") }
        hasRun = true
        let executable = try configuration.executable ?? Self.locateProgram()
        defer {
            process?.stop()
            process = nil
            eventSink.finish()
        }
        var delay = configuration.restartDelay
        var restarted = false
        var startedAt = ContinuousClock.now
        start(executable)
        loop: for await output in outputs {
            if Task.isCancelled { break }
            switch output {
            case let .line(generation, line) where generation == self.generation:
                handle(line, afterRestart: restarted)
                if case .ready = line { restarted = false }
            case .line:
                continue
            case .reload:
                // The old program's exit report will carry an old generation and be ignored.
                process?.stop()
                restarted = false
                delay = configuration.restartDelay
                startedAt = .now
                start(executable)
            case let .exited(generation, status, lastError) where generation == self.generation:
                logger.warning(
                    "as2-agent-watch stopped; restarting it",
                    metadata: [
                        "as2.watch_status": "\(WatchProcess.describe(status: status))",
                        "as2.watch_error": "\(lastError ?? "")",
                    ])
                process = nil
                if ContinuousClock.now - startedAt > .seconds(10) { delay = configuration.restartDelay }
                do { try await Task.sleep(for: delay) } catch { break loop }
                delay = min(delay * 2, configuration.maxRestartDelay)
                restarted = true
                startedAt = .now
                start(executable)
            case .exited:
                continue
            }
        }
    }

    private func start(_ executable: String) {
        generation += 1
        guard !directories.isEmpty else {
            process = nil
            eventSink.yield(.ready)
            return
        }
        do {
            process = try WatchProcess(
                executable: executable, directories: directories, generation: generation,
                sink: outputSink, logger: logger)
        } catch {
            logger.warning("cannot start as2-agent-watch", metadata: ["as2.error": "\(error)"])
            // Reported like a program that died at once, so the restart delay applies.
            outputSink.yield(.exited(generation: generation, status: 127 << 8, lastError: "\(error)"))
        }
    }

    private func handle(_ line: WatchProtocol.Line, afterRestart: Bool) {
        switch line {
        case .ready:
            eventSink.yield(afterRestart ? .needsRescan : .ready)
        case .overflow:
            logger.info("inotify queue overflowed; rescanning")
            eventSink.yield(.overflow)
        case let .file(raw):
            if let path = accepted(raw) { eventSink.yield(.fileReady(path: path)) }
        case let .newDirectory(raw):
            if let path = accepted(raw) { eventSink.yield(.newDirectory(path: path)) }
        }
    }

    /// The path as a String, unless it is not UTF-8 or an ignore rule applies below its root.
    private func accepted(_ raw: [UInt8]) -> String? {
        guard let path = String(validating: raw, as: UTF8.self) else {
            logger.info("file name is not valid UTF-8; rename it to send it", metadata: ["as2.path": "\(String(decoding: raw, as: UTF8.self))"])
            return nil
        }
        guard let root = watchedRoot(of: path) else { return path }
        let relative = String(path.dropFirst(root == "/" ? 1 : root.count + 1))
        return configuration.rules.ignores(relativePath: relative) ? nil : path
    }

    /// The deepest watched folder containing `path`: its ancestors are looked up, longest first,
    /// so an event costs the same with 10,000 outboxes as with one.
    private func watchedRoot(of path: String) -> String? {
        let bytes = path.utf8
        var end = bytes.endIndex
        while let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) {
            if slash == bytes.startIndex { return watched.contains("/") ? "/" : nil }
            if let ancestor = String(bytes[..<slash]), watched.contains(ancestor) { return ancestor }
            end = slash
        }
        return nil
    }

    /// Finds `as2-agent-watch`: `$AS2_AGENT_WATCH`, then next to the running executable, then
    /// `/usr/lib/as2-agent/as2-agent-watch` (the Debian package's place).
    public static func locateProgram(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var candidates: [String] = []
        if let explicit = environment["AS2_AGENT_WATCH"], !explicit.isEmpty { candidates.append(explicit) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((exe as NSString).deletingLastPathComponent + "/as2-agent-watch")
        }
        candidates.append("/usr/lib/as2-agent/as2-agent-watch")
        if let found = candidates.first(where: { access($0, X_OK) == 0 }) { return found }
        throw SpoolError(.watchProgram, "as2-agent-watch not found (looked at \(candidates.joined(separator: ", "))); set AS2_AGENT_WATCH")
    }
}
