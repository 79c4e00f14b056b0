/// The JSON a large-payload scenario prints: wall time of the work, sizes, and the process's memory.
struct FileRun: Codable {
    let scenario: String
    let payloadBytes: Int
    let messageBytes: Int
    let seconds: Double
    let cpuSeconds: Double
    /// Peak RSS of the whole process (keys, runtime and the work), in KiB.
    let maxRSSKiB: Int
    /// RSS just before the work started, in KiB: the process's baseline.
    let startRSSKiB: Int
    /// Where the time went, in seconds, when the scenario has distinct steps.
    let steps: [String: Double]

    enum CodingKeys: String, CodingKey {
        case scenario, payloadBytes, messageBytes, seconds, cpuSeconds, steps
        case maxRSSKiB = "maxRssKib"
        case startRSSKiB = "startRssKib"
    }
}
