import XCTest

@testable import AS2Agent

final class AgentMetricsTests: XCTestCase {
    func testLabelValuesAreEscapedAsTheExpositionFormatRequires() {
        XCTAssertEqual(AgentMetrics.escape("acme"), "acme")
        XCTAssertEqual(AgentMetrics.escape(""), "")
        XCTAssertEqual(AgentMetrics.escape(#"a\b"#), #"a\\b"#)
        XCTAssertEqual(AgentMetrics.escape(#"say "hi""#), #"say \"hi\""#)
        XCTAssertEqual(AgentMetrics.escape("two\nlines"), #"two\nlines"#)
        XCTAssertEqual(AgentMetrics.escape("ünï\"cödé\\"), #"ünï\"cödé\\"#)
    }
}
