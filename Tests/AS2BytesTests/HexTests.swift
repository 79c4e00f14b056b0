import AS2Bytes
import XCTest

final class HexTests: XCTestCase {
    func testLowercasePairsWithAndWithoutSeparator() {
        XCTAssertEqual(Hex.encode([UInt8]()), "")
        XCTAssertEqual(Hex.encode([0x00, 0x0f, 0xa5, 0xff]), "000fa5ff")
        XCTAssertEqual(Hex.encode([0xab], separator: UInt8(ascii: ":")), "ab")
        XCTAssertEqual(Hex.encode([0x01, 0xcd, 0xef], separator: UInt8(ascii: ":")), "01:cd:ef")
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(Hex.encode(all), all.map { String(format: "%02x", $0) }.joined())
    }
}
