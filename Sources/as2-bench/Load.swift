import AS2Bytes
import AS2HTTP
import AS2Protocol
import ArgumentParser
import Foundation
import Logging

/// `as2-bench load`: an AS2 sender on loopback that keeps `--concurrency` POSTs in flight against
/// a receiver (our agent or pyas2lib's `as2http.py serve`), verifies every signed sync MDN, and
/// reports messages/s and latency percentiles. Message bodies are built once (a pool of
/// `--pool`) and re-sent under fresh Message-IDs, so the client spends its CPU on HTTP and MDN
/// checks, not on building, and the receiver still does all its work for every message.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Drive an AS2 receiver with signed+encrypted messages; print throughput and latency.")

    @Option(help: "Folder with the keys `as2-bench keys` wrote (we are the sender).")
    var keys: String

    @Option(help: "The receiver's AS2 URL.")
    var url: String

    @Option(help: "Work folder (response spooling).")
    var work: String

    @Option(help: "Run for this many seconds (after the warm-up).")
    var seconds: Double = 10

    @Option(help: "Stop after this many messages, if earlier.")
    var count: Int = Int.max

    @Option(help: "Requests in flight at once (client threads).")
    var concurrency: Int = 4

    @Option(help: "Distinct message bodies built up front.")
    var pool: Int = 32

    @Option(help: "Payload size in bytes.")
    var size: Int = 1024

    @Option(help: "Messages sent before timing starts.")
    var warmup: Int = 20

    func validate() throws {
        guard seconds > 0, count > 0, concurrency >= 1, pool >= 1, size >= 0, warmup >= 0 else {
            throw ValidationError("seconds, count, concurrency and pool must be positive")
        }
    }

    /// The JSON this subcommand prints.
    struct Output: Codable {
        let url: String
        let concurrency: Int
        let sent: Int
        let delivered: Int
        let failures: Int
        let firstFailure: String?
        let seconds: Double
        let messagesPerSecond: Double
        let latencyMs: LatencySummary
        /// Completed messages in each second of the run (to see throughput hold over time).
        let perSecond: [Int]
        let clientCPUSeconds: Double
    }

    func run() async throws {
        try FileSystem.createDirectory(work)
        let parties = try BenchParties(directory: keys)
        var generator = SystemRandomNumberGenerator()
        let messages = try (0..<pool).map { i in
            let payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let built = try parties.build(payload: MemoryByteSource(payload), messageID: "<pool-\(i)@as2-bench>", workDirectory: work)
            return PooledMessage(headers: built.headers.map { ($0.name, $0.value) }, body: MemoryByteSource(try built.body.readAll()), expectedMICs: built.expectedMICs)
        }
        let exchange = LoadExchange(url: url, work: work, parties: parties, messages: messages)

        // Warm-up: connections, the receiver's caches; a failure here stops the run.
        for i in 0..<warmup {
            if let failure = await exchange.send(index: i, id: "<warmup-\(i)-\(UUID().uuidString)@as2-bench>") {
                await exchange.client.shutdown()
                throw BenchError("warm-up message \(i) failed: \(failure)")
            }
        }

        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        let cpuStart = ProcessUsage.cpuSeconds()
        let tickets = TicketCounter(limit: count)
        let results = await withTaskGroup(of: [LoadSample].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var samples: [LoadSample] = []
                    while clock.now < deadline {
                        guard let n = tickets.next() else { break }
                        let t0 = clock.now
                        let failure = await exchange.send(index: n, id: "<load-\(worker)-\(n)-\(UUID().uuidString)@as2-bench>")
                        let t1 = clock.now
                        samples.append(LoadSample(completed: Stopwatch.seconds(start.duration(to: t1)), latency: Stopwatch.seconds(t0.duration(to: t1)), failure: failure))
                    }
                    return samples
                }
            }
            var all: [LoadSample] = []
            for await samples in group { all += samples }
            return all
        }
        let elapsed = Stopwatch.seconds(start.duration(to: clock.now))
        await exchange.client.shutdown()
        let delivered = results.filter { $0.failure == nil }
        var perSecond = [Int](repeating: 0, count: Int(elapsed.rounded(.up)))
        for s in delivered { perSecond[min(perSecond.count - 1, Int(s.completed))] += 1 }
        try JSONOutput.print(
            Output(
                url: url, concurrency: concurrency, sent: results.count, delivered: delivered.count,
                failures: results.count - delivered.count, firstFailure: results.first { $0.failure != nil }?.failure,
                seconds: elapsed, messagesPerSecond: Double(delivered.count) / elapsed,
                latencyMs: LatencySummary(delivered.map { $0.latency * 1000 }), perSecond: perSecond,
                clientCPUSeconds: ProcessUsage.cpuSeconds() - cpuStart
            )
        )
    }
}
