import Foundation
import XCTest

/// Runs the cases of a matrix a few at a time (our side works while the single peer process
/// works on another case), collects every case's problems, and reports them in one failure.
public enum MatrixRunner {
    /// What a run found.
    public struct Report: Sendable {
        public var cases: Int
        public var failed: [CaseCheck]
        public var seconds: Double

        public var problemCount: Int { failed.reduce(0) { $0 + $1.problems.count } }
    }

    /// Runs `body` for every case, `width` concurrently. A thrown error is the case's problem.
    public static func run<Case: Sendable & CustomStringConvertible>(
        _ cases: [Case], width: Int = 2, _ body: @escaping @Sendable (Case, inout CaseCheck) async throws -> Void
    ) async -> Report {
        let start = ContinuousClock.now
        var failed: [(Int, CaseCheck)] = []
        await withTaskGroup(of: (Int, CaseCheck).self) { group in
            var next = 0
            func add() {
                let index = next
                let item = cases[index]
                next += 1
                group.addTask {
                    var check = CaseCheck(item.description)
                    do {
                        try await body(item, &check)
                    } catch {
                        check.fail("threw: \(error)")
                    }
                    return (index, check)
                }
            }
            while next < min(width, cases.count) { add() }
            for await (index, check) in group {
                if !check.passed { failed.append((index, check)) }
                if next < cases.count { add() }
            }
        }
        let elapsed = ContinuousClock.now - start
        return Report(
            cases: cases.count, failed: failed.sorted { $0.0 < $1.0 }.map(\.1),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Fails the test once with every problem of `report` (case name first), and prints the timing.
    public static func assertClean(_ report: Report, _ title: String, file: StaticString = #filePath, line: UInt = #line) {
        print("\(title): \(report.cases) cases, \(report.failed.count) failed, \(String(format: "%.1f", report.seconds)) s")
        guard !report.failed.isEmpty else { return }
        var lines: [String] = []
        for check in report.failed {
            for problem in check.problems { lines.append("[\(check.name)] \(problem)") }
        }
        let shown = lines.prefix(300).joined(separator: "\n")
        let more = lines.count > 300 ? "\n… and \(lines.count - 300) more" : ""
        XCTFail("\(title): \(report.failed.count) of \(report.cases) cases failed:\n\(shown)\(more)", file: file, line: line)
    }
}
