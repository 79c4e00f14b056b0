import Foundation

/// `as2http.py send`: pyas2lib builds and POSTs a file, then reads the sync MDN or waits for the
/// async one on its own port, and verifies it.
public enum AS2HTTPClient {
    /// The outcome of one message.
    public struct MessageResult: Decodable, Sendable {
        public let ok: Bool
        public let error: String?
        public let messageID: String?
        public let httpStatus: Int?
        public let mdnMode: String?
        /// The MIC the sender stored (pyas2lib: signed messages only).
        public let mic: String?
        public let micAlgorithm: String?
        public let bytes: Int?
        /// pyas2lib's verdict on the MDN (nil when none was requested or none came).
        public let mdn: InteropPeer.ParseMDNResult?
        public let buildMilliseconds: Double?
        public let postMilliseconds: Double?
        public let mdnWaitMilliseconds: Double?
        public let totalMilliseconds: Double?

        enum CodingKeys: String, CodingKey {
            case ok, error, mic, bytes, mdn
            case messageID = "message_id", httpStatus = "http_status", mdnMode = "mdn_mode", micAlgorithm = "mic_alg"
            case buildMilliseconds = "build_ms", postMilliseconds = "post_ms", mdnWaitMilliseconds = "mdn_wait_ms"
            case totalMilliseconds = "total_ms"
        }
    }

    /// Counts and latency over all messages of one run.
    public struct Summary: Decodable, Sendable {
        public let count: Int
        public let ok: Int
        public let elapsedSeconds: Double
        public let messagesPerSecond: Double?
        public let p50Milliseconds: Double?
        public let p99Milliseconds: Double?
        public let mdnURL: String?

        enum CodingKeys: String, CodingKey {
            case count, ok
            case elapsedSeconds = "elapsed_s", messagesPerSecond = "messages_per_s", p50Milliseconds = "p50_ms"
            case p99Milliseconds = "p99_ms", mdnURL = "mdn_url"
        }
    }

    /// What `send` printed, plus its exit status and stderr (async-MDN events land there).
    public struct Output: Decodable, Sendable {
        public let ok: Bool
        public let results: [MessageResult]
        public let summary: Summary
        public var exitStatus: Int32 = 0
        public var stderr: String = ""

        enum CodingKeys: String, CodingKey { case ok, results, summary }
    }

    /// Sends `file` to `url` as `config` describes (partner `partner`, default the first one).
    /// `mdnMode` overrides the partner's ("sync", "async" or "none"); `count`/`threads` repeat
    /// the send for benchmarks.
    public static func send(
        url: String, file: String, config: AS2HTTPConfig, partner: String? = nil, mdnMode: String? = nil,
        count: Int = 1, threads: Int = 1, timeout: Double = 60
    ) async throws -> Output {
        let python = try InteropEnvironment.python()
        let script = try InteropEnvironment.script("as2http.py")
        let dir = try InteropEnvironment.makeTemporaryDirectory("as2http-send")
        defer { try? FileManager.default.removeItem(at: dir) }
        let configPath = dir.appendingPathComponent("config.json")
        try JSONEncoder().encode(config).write(to: configPath)
        var arguments = [
            "-u", script, "send", "--url", url, "--file", file, "--config", configPath.path,
            "--timeout", String(timeout), "--count", String(count), "--threads", String(threads),
        ]
        if let partner { arguments += ["--partner", partner] }
        if let mdnMode { arguments += ["--mdn-mode", mdnMode] }
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let outcome = try await ProcessRunner.runAsync(python, arguments, environment: environment)
        guard outcome.status == 0 || outcome.status == 1 else {
            throw InteropError.processFailed(command: "as2http.py send", status: outcome.status, stderr: outcome.stderr)
        }
        do {
            var output = try JSONDecoder().decode(Output.self, from: outcome.stdout)
            output.exitStatus = outcome.status
            output.stderr = outcome.stderr
            return output
        } catch {
            throw InteropError.badResponse(
                command: "as2http.py send", line: String(decoding: outcome.stdout, as: UTF8.self),
                underlying: "\(error); stderr: \(outcome.stderr)")
        }
    }
}
