import AS2Bytes
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `as2-bench drop`: files dropped into a running agent's outbox, timed from the moment each is
/// closed there to its `<name>.mdn.json` appearing in `sent/` (the receipt checked, the file moved).
/// `sequential` drops the next file when the previous one is done (latency without queueing);
/// `window` keeps `--in-flight` files pending (sustained files/s, and latency under that load).
/// `--rename` writes each file under a dot name first and renames it in (for big files).
struct Drop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Drop files into an agent's outbox; time each until its receipt is in sent/.")

    @Option(help: "The partner's outbox (its sent/ and failed/ are siblings).")
    var outbox: String

    @Option(help: "Files to drop.")
    var count: Int = 100

    @Option(help: "File size in bytes.")
    var size: Int = 1024

    @Option(help: "sequential or window.")
    var mode: Mode = .sequential

    @Option(help: "Files pending at once in window mode.")
    var inFlight: Int = 64

    @Option(help: "Stop waiting after this many seconds without a new receipt (the rest count as missing).")
    var timeout: Double = 30

    @Option(help: "Name prefix of the dropped files.")
    var prefix: String = "bench"

    @Flag(help: "Write each file under a dot name and rename it into the outbox (the safe way for big files).")
    var rename = false

    enum Mode: String, ExpressibleByArgument {
        case sequential, window
    }

    func validate() throws {
        guard count >= 1, size >= 0, inFlight >= 1, timeout > 0 else { throw ValidationError("count, in-flight and timeout must be positive") }
    }

    struct Output: Codable {
        let mode: String
        let count: Int
        let size: Int
        let inFlight: Int
        let sent: Int
        let failed: Int
        let missing: Int
        let seconds: Double
        let filesPerSecond: Double
        let latencyMs: LatencySummary
    }

    func run() async throws {
        let base = FileSystem.parentPath(outbox)
        let watcher = try ReceiptWatcher(sent: base + "/sent", failed: base + "/failed")
        defer { watcher.stop() }
        let clock = ContinuousClock()
        var dropped: [(name: String, at: ContinuousClock.Instant)] = []
        // Small files get their own random content; a big file repeats one random block. One
        // arc4random_buf call (one getrandom) per block: the load generator shares the machine
        // with the agents it measures and must not spend their CPU.
        func randomBlock() -> [UInt8] {
            var block = [UInt8](repeating: 0, count: min(size, 1 << 20))
            block.withUnsafeMutableBytes { if let base = $0.baseAddress { arc4random_buf(base, $0.count) } }
            return block
        }
        var block = randomBlock()
        let start = clock.now
        var lastProgress = start
        var pending: [Int] = []
        var done = 0
        var seen = 0
        let window = mode == .sequential ? 1 : inFlight

        waiting: while done < count {
            while dropped.count < count && pending.count < window {
                let name = "\(prefix)-\(dropped.count).dat"
                if size <= 64 * 1024 && !dropped.isEmpty { block = randomBlock() }
                try Self.dropFile(block, size: size, to: outbox + "/" + name, rename: rename)
                pending.append(dropped.count)
                dropped.append((name, clock.now))
            }
            // Woken by the reader thread when a receipt arrives (no polling loop: the load
            // generator must not spend the agents' CPU), at the latest after 100 ms.
            seen = watcher.waitForMore(than: seen, timeout: 0.1)
            let before = pending.count
            pending.removeAll { watcher.finished(dropped[$0].name) != nil }
            if pending.count < before {
                done += before - pending.count
                lastProgress = clock.now
            } else if Stopwatch.seconds(lastProgress.duration(to: clock.now)) > timeout {
                FileHandle.standardError.write(Data("drop: no receipt for \(timeout) s; \(count - done) file(s) missing\n".utf8))
                break waiting
            }
        }
        let end = dropped.compactMap { watcher.finished($0.name)?.at }.max() ?? start
        let outcomes = dropped.map { (watcher.finished($0.name), $0.at) }
        let latencies = outcomes.compactMap { f, at in f.map { Stopwatch.seconds(at.duration(to: $0.at)) * 1000 } }
        let seconds = Stopwatch.seconds(start.duration(to: end))
        try JSONOutput.print(
            Output(
                mode: mode.rawValue, count: count, size: size, inFlight: window,
                sent: outcomes.filter { $0.0?.outcome == .sent }.count, failed: outcomes.filter { $0.0?.outcome == .failed }.count,
                missing: outcomes.filter { $0.0 == nil }.count, seconds: seconds,
                filesPerSecond: Double(outcomes.filter { $0.0?.outcome == .sent }.count) / seconds,
                latencyMs: LatencySummary(latencies)
            )
        )
    }

    /// The file at `path`: `size` bytes of `block` repeated, written in one open/write/close (the
    /// agent picks it up on IN_CLOSE_WRITE), or under a dot name and renamed into place.
    static func dropFile(_ block: [UInt8], size: Int, to path: String, rename: Bool) throws {
        let target = rename ? FileSystem.parentPath(path) + "/." + String(path.split(separator: "/").last ?? Substring(path)) : path
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw BenchError("cannot create \(target): errno \(errno)") }
        var left = size
        while left > 0 {
            let n = min(left, block.count)
            let written = block.withUnsafeBytes { write(fd, $0.baseAddress, n) }
            guard written == n else {
                close(fd)
                throw BenchError("short write to \(target)")
            }
            left -= n
        }
        close(fd)
        if rename { try FileSystem.rename(target, to: path) }
    }
}
