import AS2Bytes
import ArgumentParser

/// `as2-bench unpack`: the receiver's work on one message body file, in this fresh process:
/// unpack (decrypt, verify, MIC), deliver the payload to a file (fsynced, renamed into place), and
/// build the signed MDN, written beside it.
struct UnpackFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack", abstract: "Unpack one message file, deliver its payload, build the signed MDN; print time and peak RSS."
    )

    @Option(help: "Folder with the keys `as2-bench keys` wrote.")
    var keys: String

    @Option(help: "The message body file; its HTTP headers are read from <body>.headers.")
    var body: String

    @Option(help: "Where to deliver the payload.")
    var out: String

    @Option(help: "Work folder for the decrypted layer.")
    var work: String

    func run() throws {
        try FileSystem.createDirectory(work)
        let parties = try BenchParties(directory: keys)
        let headers = try HeaderFile.read(body + ".headers")
        let startRSS = ProcessUsage.currentRSSKiB()
        let cpuStart = ProcessUsage.cpuSeconds()
        var watch = Stopwatch()
        let source = try FileByteSource(path: body)
        let (request, message) = try parties.unpack(headers: headers, body: source, workDirectory: work)
        watch.lap("unpack")
        try AtomicFile.write(message.payload, to: out, sync: true)
        watch.lap("deliver")
        let mdn = try parties.acknowledge(request, message, mdnID: "<mdn-large@as2-bench>")
        try AtomicFile.write(mdn.body, to: out + ".mdn", sync: true)
        watch.lap("mdn")
        let seconds = watch.elapsed
        let cpu = ProcessUsage.cpuSeconds() - cpuStart
        try JSONOutput.print(
            FileRun(
                scenario: "unpack", payloadBytes: message.payload.count, messageBytes: source.count, seconds: seconds, cpuSeconds: cpu,
                maxRSSKiB: ProcessUsage.peakRSSKiB(), startRSSKiB: startRSS, steps: watch.laps
            )
        )
    }
}
