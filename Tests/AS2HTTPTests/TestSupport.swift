import AS2Bytes
import AS2HTTP
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import XCTest

/// A handler whose decisions and answers are closures, counting how often each step ran.
final class ScriptedHandler: HTTPRequestHandler {
    typealias Decide = @Sendable (HTTPRequestHead) async -> HTTPBodyDecision
    typealias Handle = @Sendable (HTTPRequestHead, any ByteSource) async -> HTTPResponse

    private let decideBody: Decide
    private let handleBody: Handle
    private let counters = Mutex((decided: 0, handled: 0))
    private let lastHead = Mutex<HTTPRequestHead?>(nil)

    init(
        decide: @escaping Decide = { _ in .accept(maxBodySize: nil) },
        handle: @escaping Handle = { _, body in HTTPResponse(status: 200, body: body) }
    ) {
        self.decideBody = decide
        self.handleBody = handle
    }

    var decideCount: Int { counters.withLock { $0.decided } }
    var handleCount: Int { counters.withLock { $0.handled } }
    var lastHandledHead: HTTPRequestHead? { lastHead.withLock { $0 } }

    func decide(head: HTTPRequestHead) async -> HTTPBodyDecision {
        counters.withLock { $0.decided += 1 }
        return await decideBody(head)
    }

    func handle(head: HTTPRequestHead, body: any ByteSource) async -> HTTPResponse {
        counters.withLock { $0.handled += 1 }
        lastHead.withLock { $0 = head }
        return await handleBody(head, body)
    }
}

/// Log records kept in memory so tests can look at them (the global logging system is never bootstrapped).
final class LogStore: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ record: Record) { records.withLock { $0.append(record) } }

    func logger(level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: "as2http-test") { _ in InMemoryLogHandler(store: self) }
        logger.logLevel = level
        return logger
    }
}

struct InMemoryLogHandler: LogHandler {
    let store: LogStore
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        store.append(.init(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}

/// A raw TCP client for sending exactly the bytes a test wants, including malformed ones.
enum RawClient {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Connects to 127.0.0.1:`port` and runs `body` with the connection's inbound and outbound.
    static func with<T: Sendable>(
        port: Int,
        _ body: (NIOAsyncChannelInboundStream<ByteBuffer>, NIOAsyncChannelOutboundWriter<ByteBuffer>, any Channel) async throws -> T
    ) async throws -> T {
        let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
            }
        return try await connection.executeThenClose { inbound, outbound in
            try await body(inbound, outbound, connection.channel)
        }
    }

    /// Reads until the peer closes or `timeout` passes. Returns the bytes and whether the peer closed.
    static func readUntilClose(
        _ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, channel: any Channel, timeout: Duration = .seconds(5)
    ) async -> (text: String, peerClosed: Bool) {
        let timedOut = Mutex(false)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            timedOut.withLock { $0 = true }
            channel.close(promise: nil)
        }
        var bytes: [UInt8] = []
        do {
            for try await buffer in inbound { bytes += buffer.readableBytesView }
        } catch {}
        timer.cancel()
        return (String(decoding: bytes, as: UTF8.self), !timedOut.withLock { $0 })
    }

    /// Reads until `marker` appears in the received text (or the stream ends).
    static func readUntil(
        _ marker: String, iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    ) async throws -> String {
        var bytes: [UInt8] = []
        while let buffer = try await iterator.next() {
            bytes += buffer.readableBytesView
            if String(decoding: bytes, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A TCP listener that accepts and reads but never answers (for client read timeouts).
final class SilentServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init() async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async { try? await channel.close() }
}

enum TestFiles {
    /// A fresh temporary directory.
    static func makeDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "as2http-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `size` bytes of a deterministic pattern to a file, chunk by chunk.
    static func writePattern(size: Int, to path: String) throws {
        let sink = try FileSink(path: path, exclusive: true, mode: 0o600)
        var state: UInt32 = 0x1234_5678
        var written = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while written < size {
            let n = min(chunk.count, size - written)
            for i in 0..<n {
                state = state &* 1_664_525 &+ 1_013_904_223
                chunk[i] = UInt8(truncatingIfNeeded: state >> 24)
            }
            try chunk.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            written += n
        }
        try sink.close()
    }

    /// Hex SHA-256 of a file, computed by `openssl dgst` (fast even in debug builds).
    static func sha256(path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["dgst", "-sha256", "-r", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    static func entries(_ directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }
}

/// Current resident set size of this process, in bytes (VmRSS from /proc/self/status).
func currentRSS() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
}

/// Samples the resident set size every 5 ms while `body` runs; returns the highest sample.
func highestRSS<T: Sendable>(during body: () async throws -> T) async rethrows -> (result: T, highest: Int) {
    let highest = SendableBox(currentRSS())
    let sampler = Task {
        while !Task.isCancelled {
            highest.set(max(highest.get(), currentRSS()))
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
    let result = try await body()
    sampler.cancel()
    _ = await sampler.value
    highest.set(max(highest.get(), currentRSS()))
    return (result, highest.get())
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: @Sendable () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + timeout
    while clock.now < end {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
