/// A benchmark that could not run, or whose result was wrong (a rejected message, a short payload).
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
