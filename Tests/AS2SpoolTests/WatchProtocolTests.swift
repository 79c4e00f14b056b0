import XCTest

@testable import AS2Spool

final class WatchProtocolTests: XCTestCase {
    func testEveryByteRoundTripsAndEscapedLinesHoldNoTabOrNewline() {
        let all = (0...255).map { UInt8($0) }
        let escaped = WatchProtocol.escape(all)
        XCTAssertFalse(escaped.contains(0x09))
        XCTAssertFalse(escaped.contains(0x0a))
        XCTAssertTrue(escaped.allSatisfy { $0 >= 0x20 && $0 < 0x7f })
        XCTAssertEqual(WatchProtocol.unescape(escaped), all)
        XCTAssertEqual(WatchProtocol.escape(Array("a b\\c\td\ne".utf8)), Array("a b\\\\c\\td\\ne".utf8))
        XCTAssertEqual(WatchProtocol.escape([0xc3, 0xbc]), Array("\\xc3\\xbc".utf8))
    }

    func testParsesEachLineKindAndRejectsMalformedOnes() {
        XCTAssertEqual(WatchProtocol.parse(Array("READY".utf8)), .ready)
        XCTAssertEqual(WatchProtocol.parse(Array("OVERFLOW".utf8)), .overflow)
        XCTAssertEqual(WatchProtocol.parse(Array("FILE\t/o/a\\tb\\x41".utf8)), .file(Array("/o/a\tbA".utf8)))
        XCTAssertEqual(WatchProtocol.parse(Array("NEWDIR\t/o/2024".utf8)), .newDirectory(Array("/o/2024".utf8)))
        for bad in ["", "READY ", "FILE", "FILE\t", "FILE\t/x\\", "FILE\t/x\\q", "FILE\t/x\\x4", "FILE\t/x\\xzz", "MOVED\t/x"] {
            XCTAssertNil(WatchProtocol.parse(Array(bad.utf8)), bad)
        }
    }
}
