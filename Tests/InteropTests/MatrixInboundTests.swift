import XCTest

/// Interop matrix, direction B (issue 2): messages pyas2lib builds (and, for compression after
/// signing, which pyas2lib cannot build, messages assembled from `openssl cms` output) are
/// unpacked by our `MessageUnpacker` with the payload byte-identical and our MIC equal to theirs;
/// our `MDNBuilder` receipt passes pyas2lib's `Mdn.parse` with the MIC matched.
final class MatrixInboundTests: XCTestCase {
    func testEveryCombinationPyAS2LibBuildsIsUnpackedByUs() async throws {
        let receiver = try InboundMatrix()
        defer { receiver.cleanUp() }
        let cases = MatrixCase.all()
        XCTAssertEqual(cases.count, 450)
        let report = await MatrixRunner.run(cases) { c, check in try await receiver.run(c, &check) }
        MatrixRunner.assertClean(report, "pyas2lib/openssl build → we receive")
    }

    func testFiveMiBOnAPairwiseSubsetIsUnpackedByUs() async throws {
        let receiver = try InboundMatrix()
        defer { receiver.cleanUp() }
        let cases = MatrixCase.pairwise(payload: .large)
        let report = await MatrixRunner.run(cases) { c, check in try await receiver.run(c, &check) }
        MatrixRunner.assertClean(report, "pyas2lib/openssl build 5 MiB → we receive")
    }
}
