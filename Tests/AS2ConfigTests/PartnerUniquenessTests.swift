import Foundation
import XCTest

@testable import AS2Config

/// The cross-partner checks (unique names and AS2 ids) and the shared certificate files, which
/// keep a 10,000-partner configuration fast to check and to load.
final class PartnerUniquenessTests: XCTestCase {
    private func partner(_ name: String, _ as2ID: String, caseInsensitive: Bool = false) throws -> PartnerConfiguration {
        var interop = InteropSwitches.default
        interop.caseInsensitiveAS2ID = caseInsensitive
        return PartnerConfiguration(
            name: name, as2ID: as2ID, url: try XCTUnwrap(URL(string: "https://as2.example/as2")), interop: interop)
    }

    /// Every clashing pair, as comparing each partner with every earlier one finds them.
    private func allPairs(_ partners: [PartnerConfiguration]) -> [[Int]] {
        var pairs: [[Int]] = []
        for i in partners.indices {
            for j in 0..<i
            where partners[i].name == partners[j].name || ConfigurationDecoder.sameAS2ID(partners[i], partners[j]) {
                pairs.append([i, j])
            }
        }
        return pairs
    }

    func testCandidatesAreExactlyTheClashingPairsInOrder() throws {
        let partners = [
            try partner("a", "A"), try partner("b", "B"), try partner("a", "C"), try partner("d", "a"),
            try partner("e", "b", caseInsensitive: true), try partner("a", "A"), try partner("f", "c"),
            try partner("g", "C", caseInsensitive: true), try partner("h", "H"),
        ]
        let pairs = ConfigurationDecoder.duplicateCandidates(partners).map { [$0.0, $0.1] }
        XCTAssertEqual(pairs, allPairs(partners))
        XCTAssertEqual(pairs, [[2, 0], [4, 1], [5, 0], [5, 2], [7, 2], [7, 6]])
    }

    func testTenThousandDistinctPartnersHaveNoCandidates() throws {
        let url = try XCTUnwrap(URL(string: "https://as2.example/as2"))
        let partners = (0..<10_000).map { PartnerConfiguration(name: "p\($0)", as2ID: "PARTNER-\($0)", url: url) }
        XCTAssertTrue(ConfigurationDecoder.duplicateCandidates(partners).isEmpty)
        let twice = partners + [partners[42], partners[9_999]]
        XCTAssertEqual(ConfigurationDecoder.duplicateCandidates(twice).map { [$0.0, $0.1] }, [[10_000, 42], [10_001, 9_999]])
    }

    func testEveryDuplicateIsReportedAtItsLineWithTheEarlierLine() throws {
        var text = ConfigurationLoaderTests.agent
        let blocks = [("globex", "GLOBEX"), ("initech", "INITECH"), ("globex", "OTHER"), ("third", "GLOBEX"), ("globex", "GLOBEX")]
        for (name, as2ID) in blocks {
            text += "[[partner]]\nname = \"\(name)\"\nas2_id = \"\(as2ID)\"\n"
                + "url = \"https://as2.example/as2\"\ncertificate = \"p.crt\"\n"
        }
        let problems = ConfigurationDecoder.decode(text: text, path: "/etc/as2-agent/agent.conf").problems
        let duplicates = problems.filter { $0.code == .duplicate }
        let first = 1 + ConfigurationLoaderTests.agent.filter { $0 == "\n" }.count
        let line = { (block: Int) in first + 5 * block }  // [[partner]] line of the n-th block (0-based)
        XCTAssertEqual(
            duplicates.map { "\($0.keyPath)@\($0.line ?? 0): \($0.message)" },
            [
                "partner[globex].name@\(line(2) + 1): partner name \"globex\" is already used by an earlier partner (line \(line(0)))",
                "partner[third].as2_id@\(line(3) + 2): AS2 name \"GLOBEX\" is already used by partner \"globex\" (line \(line(0)))",
                "partner[globex].name@\(line(4) + 1): partner name \"globex\" is already used by an earlier partner (line \(line(0)))",
                "partner[globex].name@\(line(4) + 1): partner name \"globex\" is already used by an earlier partner (line \(line(2)))",
                "partner[globex].as2_id@\(line(4) + 2): AS2 name \"GLOBEX\" is already used by partner \"globex\" (line \(line(0)))",
                "partner[globex].as2_id@\(line(4) + 2): AS2 name \"GLOBEX\" is already used by partner \"third\" (line \(line(3)))",
            ])
    }
}
