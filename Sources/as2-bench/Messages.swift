import AS2Bytes
import ArgumentParser
import Foundation

/// `as2-bench messages`: small-message rates. "build" is MessageBuilder.build (sign + encrypt,
/// signed MDN requested); "unpack" is the receiver's whole work: InboundRequest, MessageUnpacker.unpack
/// and the signed MDN (MDNBuilder). Everything stays in memory, as it does at this size.
struct Messages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Messages per second for build and unpack + signed MDN.")

    @Option(help: "Folder with the keys `as2-bench keys` wrote.")
    var keys: String

    @Option(help: "Work folder (spooling; unused at small sizes).")
    var work: String

    @Option(help: "Payload size in bytes.")
    var size: Int = 1024

    @Option(help: "Seconds to run each measurement.")
    var seconds: Double = 3

    @Option(help: "Concurrent tasks (1 = single-threaded; 2 = both cores).")
    var tasks: Int = 1

    @Option(help: "Measure only this operation (build or unpack), e.g. under a profiler.")
    var only: Operation?

    enum Operation: String, ExpressibleByArgument {
        case build, unpack
    }

    func validate() throws {
        guard size >= 0, seconds > 0, tasks >= 1 else { throw ValidationError("size ≥ 0, seconds > 0 and tasks ≥ 1") }
    }

    /// The JSON this subcommand prints.
    struct Output: Codable {
        let payloadBytes: Int
        let messageBytes: Int
        let mdnBytes: Int
        let build: RateMeter.Result
        let unpack: RateMeter.Result
        let buildPerSecond: Double
        let unpackPerSecond: Double
    }

    func run() async throws {
        try FileSystem.createDirectory(work)
        let parties = try BenchParties(directory: keys)
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let work = self.work

        // One message to unpack over and over; checked once so that a broken exchange cannot look fast.
        let sample = try parties.build(payload: MemoryByteSource(payload), messageID: "<sample@as2-bench>", workDirectory: work)
        let headers = sample.headers.map { ($0.name, $0.value) }
        let body = MemoryByteSource(try sample.body.readAll())
        let (request, message) = try parties.unpack(headers: headers, body: body, workDirectory: work)
        guard try message.payload.readAll() == payload else { throw BenchError("the unpacked payload differs from the one sent") }
        guard message.mic.digest == sample.primaryMIC?.digest else { throw BenchError("the receiver's MIC differs from the sender's") }
        let mdn = try parties.acknowledge(request, message, mdnID: "<mdn-sample@as2-bench>")

        let build = try await RateMeter.measure(tasks: tasks, seconds: only == .unpack ? 0 : seconds) { task, i in
            _ = try parties.build(payload: MemoryByteSource(payload), messageID: "<b\(task)-\(i)@as2-bench>", workDirectory: work)
        }
        let unpack = try await RateMeter.measure(tasks: tasks, seconds: only == .build ? 0 : seconds) { task, i in
            let (request, message) = try parties.unpack(headers: headers, body: body, workDirectory: work)
            _ = try parties.acknowledge(request, message, mdnID: "<m\(task)-\(i)@as2-bench>")
        }
        try JSONOutput.print(
            Output(
                payloadBytes: size, messageBytes: body.count, mdnBytes: mdn.body.count, build: build, unpack: unpack,
                buildPerSecond: build.perSecond, unpackPerSecond: unpack.perSecond
            )
        )
    }
}
