/// Percentiles of a set of latencies, in milliseconds (nearest rank).
struct LatencySummary: Codable {
    let count: Int
    let p50: Double?
    let p90: Double?
    let p99: Double?
    let max: Double?
    let mean: Double?

    init(_ values: [Double]) {
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double? {
            sorted.isEmpty ? nil : sorted[Swift.min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        count = sorted.count
        p50 = rank(0.5)
        p90 = rank(0.9)
        p99 = rank(0.99)
        max = sorted.last
        mean = sorted.isEmpty ? nil : sorted.reduce(0, +) / Double(sorted.count)
    }
}
