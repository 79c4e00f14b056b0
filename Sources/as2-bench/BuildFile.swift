import AS2Bytes
import ArgumentParser

/// `as2-bench build`: one message built from a payload file (FileByteSource) into a body file,
/// as the agent builds a resendable message (the body is fsynced), in this fresh process.
struct BuildFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build one signed + encrypted message from a payload file; print time and peak RSS."
    )

    @Option(help: "Folder with the keys `as2-bench keys` wrote.")
    var keys: String

    @Option(help: "The payload file.")
    var payload: String

    @Option(help: "Where to write the message body; its HTTP headers go to <out>.headers.")
    var out: String

    @Option(help: "Work folder for spooled intermediate layers.")
    var work: String

    func run() throws {
        try FileSystem.createDirectory(work)
        let parties = try BenchParties(directory: keys)
        let startRSS = ProcessUsage.currentRSSKiB()
        let cpuStart = ProcessUsage.cpuSeconds()
        let watch = Stopwatch()
        let source = try FileByteSource(path: payload)
        let message = try parties.build(payload: source, messageID: "<large@as2-bench>", workDirectory: work, bodyPath: out)
        let seconds = watch.elapsed
        let cpu = ProcessUsage.cpuSeconds() - cpuStart
        try HeaderFile.write(message.headers, to: out + ".headers")
        try JSONOutput.print(
            FileRun(
                scenario: "build", payloadBytes: source.count, messageBytes: message.body.count, seconds: seconds, cpuSeconds: cpu,
                maxRSSKiB: ProcessUsage.peakRSSKiB(), startRSSKiB: startRSS, steps: [:]
            )
        )
    }
}
