/// The problems found in one matrix case, each a sentence; the case's name is added when the
/// run is reported, so one test run lists every broken combination.
public struct CaseCheck: Sendable {
    public let name: String
    public private(set) var problems: [String] = []

    public init(_ name: String) { self.name = name }

    public var passed: Bool { problems.isEmpty }

    /// Records `message` unless `condition` holds.
    public mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { problems.append(message()) }
    }

    /// Records a mismatch of `actual` and `expected`, named `what`.
    public mutating func equal<T: Equatable>(_ actual: T, _ expected: T, _ what: String) {
        if actual != expected { problems.append("\(what): got \(actual), expected \(expected)") }
    }

    public mutating func fail(_ message: String) {
        problems.append(message)
    }
}
