@testable import AS2Protocol
import Foundation
import XCTest

final class FieldTextTests: XCTestCase {
    func testTrimmingWhitespaceMatchesFoundation() {
        let samples = [
            "", " ", "\t \t", "<id@host>", "  <id@host>\t", "\t<a b>  ", " x", "x ", "\r\n x \r\n", "a\u{00A0}", "\u{00A0} <é@host> \u{2003}",
            " \u{3000}日本 ",
        ]
        for s in samples {
            XCTAssertEqual(FieldText.trimmingWhitespace(s), s.trimmingCharacters(in: .whitespaces), "\(Array(s.unicodeScalars))")
            let padded = "[" + s + "]"
            let inner = padded.dropFirst().dropLast()
            XCTAssertEqual(FieldText.trimmingWhitespace(inner), s.trimmingCharacters(in: .whitespaces))
        }
    }

    func testUnfoldLeavesPlainTextAlone() {
        XCTAssertEqual(FieldText.unfold("signed-receipt-protocol=optional, pkcs7-signature"), "signed-receipt-protocol=optional, pkcs7-signature")
        XCTAssertEqual(FieldText.unfold("a;\r\n\tb\nc"), "a;  b c")
    }

    func testMessageIDIsTrimmedOfSpacesAndTabs() throws {
        let request = try InboundRequest(headers: [
            ("AS2-From", "a"), ("AS2-To", "b"), ("Message-ID", " \t<x@y> "), ("Content-Type", "application/edi-x12"),
            ("Disposition-Notification-To", "a"), ("Receipt-Delivery-Option", "  "),
        ])
        XCTAssertEqual(request.messageID, "<x@y>")
        XCTAssertNotNil(request.mdnRequest)
        XCTAssertNil(request.mdnRequest?.receiptDeliveryURL)
        XCTAssertThrowsError(try InboundRequest(headers: [
            ("AS2-From", "a"), ("AS2-To", "b"), ("Message-ID", "<x@y>"), ("Message-ID", "<z@y>"), ("Content-Type", "text/plain"),
        ]))
        XCTAssertNoThrow(try InboundRequest(headers: [
            ("AS2-From", "a"), ("AS2-To", "b"), ("Message-ID", "<x@y>"), ("Message-ID", "<x@y>"), ("Content-Type", "text/plain"),
        ]))
    }
}
