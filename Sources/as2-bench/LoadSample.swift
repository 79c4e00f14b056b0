/// One request of a load run: when it completed (seconds from the start), how long it took, and
/// why it failed, if it did.
struct LoadSample: Sendable {
    let completed: Double
    let latency: Double
    let failure: String?
}
