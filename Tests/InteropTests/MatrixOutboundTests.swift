import XCTest

/// Interop matrix, direction A (issue 2): messages our `MessageBuilder` builds are received by
/// pyas2lib with the payload byte-identical and its MIC among our `expectedMICs`; its MDNs pass
/// our `MDNParser` (signature checked with its certificate) and `MDNEvaluator` says delivered.
final class MatrixOutboundTests: XCTestCase {
    func testEveryCombinationWeBuildIsReceivedByPyAS2Lib() async throws {
        let sender = try OutboundMatrix()
        defer { sender.cleanUp() }
        let cases = MatrixCase.all()
        XCTAssertEqual(cases.count, 450)
        let report = await MatrixRunner.run(cases) { c, check in try await sender.run(c, &check) }
        MatrixRunner.assertClean(report, "we build → pyas2lib receives")
    }

    func testFiveMiBOnAPairwiseSubsetIsReceivedByPyAS2Lib() async throws {
        let sender = try OutboundMatrix()
        defer { sender.cleanUp() }
        let cases = MatrixCase.pairwise(payload: .large)
        XCTAssertEqual(cases.count, 25)
        let report = await MatrixRunner.run(cases) { c, check in try await sender.run(c, &check) }
        MatrixRunner.assertClean(report, "we build 5 MiB → pyas2lib receives")
    }
}
