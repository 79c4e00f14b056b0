import AS2Bytes
import ArgumentParser
import Foundation

/// `as2-bench durable`: the disk floor of a durable spool — how many times per second a small
/// file can be written, fsynced, renamed into place and its folder fsynced (`AtomicFile.write`,
/// the agent's primitive) on the disk under test, with `--tasks` writers at once.
struct Durable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "write + fsync + rename + directory fsync per second on a folder's disk.")

    @Option(help: "Folder on the disk under test (created; the files are removed afterwards unless --keep).")
    var directory: String

    @Flag(help: "Leave the files (the caller removes them later: on ext4 without a journal, mass deletions slow down file creation for ~30 s).")
    var keep = false

    @Option(help: "File size in bytes.")
    var size: Int = 1024

    @Option(help: "Seconds to run.")
    var seconds: Double = 3

    @Option(help: "Concurrent writers.")
    var tasks: Int = 1

    func validate() throws {
        guard size >= 0, seconds > 0, tasks >= 1 else { throw ValidationError("size ≥ 0, seconds > 0, tasks ≥ 1") }
    }

    struct Output: Codable {
        let tasks: Int
        let size: Int
        let result: RateMeter.Result
        let perSecond: Double
    }

    func run() async throws {
        try FileSystem.createDirectory(directory)
        let bytes = [UInt8](repeating: 0x41, count: size)
        let directory = self.directory
        let result = try await RateMeter.measure(tasks: tasks, seconds: seconds, warmup: 5) { task, i in
            try AtomicFile.write(bytes, to: "\(directory)/d-\(task)-\(i)", sync: true)
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where !keep && name.hasPrefix("d-") {
            try? FileSystem.remove("\(directory)/\(name)")
        }
        try JSONOutput.print(Output(tasks: tasks, size: size, result: result, perSecond: result.perSecond))
    }
}
