/// Runs one operation in a loop on `tasks` concurrent tasks until a common deadline and counts
/// completions; the CPU time the process spent meanwhile gives the cost per operation.
enum RateMeter {
    struct Result: Codable {
        let tasks: Int
        let operations: Int
        let seconds: Double
        let cpuSeconds: Double
        var perSecond: Double { Double(operations) / seconds }
        var cpuMillisecondsPerOperation: Double { cpuSeconds * 1000 / Double(max(operations, 1)) }
    }

    /// `operation(task, iteration)` must be safe to call from several tasks at once. It first runs
    /// `warmup` times on the caller's task (caches, lazy initialisation), untimed.
    static func measure(
        tasks: Int, seconds: Double, warmup: Int = 20,
        _ operation: @escaping @Sendable (_ task: Int, _ iteration: Int) throws -> Void
    ) async throws -> Result {
        for i in 0..<warmup { try operation(0, -1 - i) }
        let clock = ContinuousClock()
        let cpuStart = ProcessUsage.cpuSeconds()
        let start = clock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        let operations = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var count = 0
                    while clock.now < deadline {
                        try operation(task, count)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = start.duration(to: clock.now)
        let cpu = ProcessUsage.cpuSeconds() - cpuStart
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(tasks: tasks, operations: operations, seconds: wall, cpuSeconds: cpu)
    }
}
