/// Wall time since creation, in seconds, and named laps for the steps of one scenario.
struct Stopwatch {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lapStart: ContinuousClock.Instant
    private(set) var laps: [String: Double] = [:]

    init() {
        start = clock.now
        lapStart = start
    }

    var elapsed: Double { Self.seconds(start.duration(to: clock.now)) }

    /// Records the time since the previous lap (or the start) under `name`.
    mutating func lap(_ name: String) {
        let now = clock.now
        laps[name] = Self.seconds(lapStart.duration(to: now))
        lapStart = now
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
