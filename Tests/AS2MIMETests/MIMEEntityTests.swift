import AS2Bytes
import AS2MIME
import XCTest

final class MIMEEntityTests: XCTestCase {
    func testFoldedHeadersUnfoldToSingleSpaces() throws {
        let text = "Content-Type: multipart/signed;\r\n\tprotocol=\"application/pkcs7-signature\";\r\n micalg=sha-256\r\n"
            + "Subject:   spaced   \r\nX-Long: a  \r\n \t  b\r\n\r\nBODY"
        let e = try MIMEEntity.parse(MemoryByteSource(text))
        XCTAssertEqual(e.headers["content-type"], "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256")
        XCTAssertEqual(e.headers["SUBJECT"], "spaced")
        XCTAssertEqual(e.headers["x-long"], "a b")
        XCTAssertEqual(try e.body.readAll(), [UInt8]("BODY"))
        XCTAssertEqual(e.headerLineEnding, .crlf)
    }

    func testHeaderNamesAreCaseInsensitiveAndDuplicatesKept() throws {
        let e = try MIMEEntity.parse(MemoryByteSource("date: one\r\nDate: two\r\nAS2-From: a\r\n\r\n"))
        XCTAssertEqual(e.headers["DATE"], "one")
        XCTAssertEqual(e.headers.values("date"), ["one", "two"])
        XCTAssertEqual(e.headers["as2-from"], "a")
        XCTAssertNil(e.headers["as2-to"])
        XCTAssertEqual(e.headers.map(\.name), ["date", "Date", "AS2-From"])
        XCTAssertEqual(e.body.count, 0)
    }

    func testRangesCoverHeaderLinesEmptyLineAndBodyExactly() throws {
        let text = "A: 1\r\nB: 2\r\n\r\nhello\r\n"
        let e = try MIMEEntity.parse(MemoryByteSource(text))
        XCTAssertEqual(e.headerRange, 0..<12)
        XCTAssertEqual(e.bodyRange, 14..<21)
        XCTAssertEqual(e.range, 0..<21)
        XCTAssertEqual(try e.source.slice(e.headerRange).readAll(), [UInt8]("A: 1\r\nB: 2\r\n"))
        XCTAssertEqual(try e.bytes.readAll(), [UInt8](text))
    }

    func testBareLFLineEndsAreAcceptedAndRecorded() throws {
        let e = try MIMEEntity.parse(MemoryByteSource("A: 1\nB: x\n  y\n\nbody\n"))
        XCTAssertEqual(e.headerLineEnding, .lf)
        XCTAssertEqual(e.headers["b"], "x y")
        XCTAssertEqual(e.headerRange, 0..<14)
        XCTAssertEqual(try e.body.readAll(), [UInt8]("body\n"))
    }

    func testEntityStartingWithEmptyLineHasNoHeaders() throws {
        let e = try MIMEEntity.parse(MemoryByteSource("\r\nbody text"))
        XCTAssertTrue(e.headers.isEmpty)
        XCTAssertEqual(e.headerRange, 0..<0)
        XCTAssertEqual(e.bodyRange, 2..<11)
        XCTAssertEqual(try e.bytes.readAll(), [UInt8]("\r\nbody text"))
    }

    func testSourceWithoutHeaderBlockIsMalformed() {
        XCTAssertMIMEError(.malformedHeader, try MIMEEntity.parse(MemoryByteSource("UNB+UNOA:2+SENDER'\r\nUNH+1'\r\n")))
        XCTAssertMIMEError(.malformedHeader, try MIMEEntity.parse(MemoryByteSource("ISA*00*          *00\r\n")))
        XCTAssertMIMEError(.malformedHeader, try MIMEEntity.parse(MemoryByteSource([0x30, 0x82, 0x01, 0x0A, 0x02])))
        XCTAssertMIMEError(.malformedHeader, try MIMEEntity.parse(MemoryByteSource(" folded: start\r\n\r\n")))
        XCTAssertMIMEError(.malformedHeader, try MIMEEntity.parse(MemoryByteSource("")))
    }

    func testHeaderlessContentCanBeAcceptedOnRequest() throws {
        let edi = MemoryByteSource("UNB+UNOA:2+SENDER'\r\nUNH+1'\r\n")
        let e = try MIMEEntity.parseAllowingNoHeaders(edi)
        XCTAssertTrue(e.headers.isEmpty)
        XCTAssertEqual(e.bodyRange, 0..<edi.count)
        XCTAssertEqual(try e.bytes.readAll(), edi.bytes)
        let withHeaders = try MIMEEntity.parseAllowingNoHeaders(MemoryByteSource("Content-Type: application/edi-x12\r\n\r\nISA"))
        XCTAssertEqual(withHeaders.contentType?.mimeType, "application/edi-x12")
        // Looks like header lines but is not a MIME entity: no empty line, or no Content-Type.
        for text in ["UNB+UNOA:2+SENDER'UNH+1+ORDERS:D:96A:UN'", "UNB+UNOA:2+X'\r\nUNH+1+ORDERS:D'\r\n\r\nBGM+220'",
            "A: 1\r\ngarbage\r\n\r\n", "X: " + String(repeating: "y", count: 70_000)]
        {
            let e = try MIMEEntity.parseAllowingNoHeaders(MemoryByteSource(text))
            XCTAssertTrue(e.headers.isEmpty, text)
            XCTAssertEqual(e.bodyRange, 0..<text.utf8.count)
        }
    }

    func testBadLineInsideHeaderBlockIsMalformed() {
        XCTAssertMIMEError(.malformedHeader, try MIMEEntity.parse(MemoryByteSource("A: 1\r\nnot a header\r\n\r\nx")))
        XCTAssertMIMEError(.malformedHeader, try MIMEEntity.parse(MemoryByteSource("A: 1\r\n: empty name\r\n\r\nx")))
    }

    func testHeadersRunningToTheEndGiveAnEmptyBody() throws {
        let e = try MIMEEntity.parse(MemoryByteSource("Content-Type: text/plain\r\nX: y"))
        XCTAssertEqual(e.headers["x"], "y")
        XCTAssertEqual(e.headerRange, 0..<30)
        XCTAssertEqual(e.bodyRange, 30..<30)
    }

    func testWhitespaceBeforeColonIsTolerated() throws {
        let e = try MIMEEntity.parse(MemoryByteSource("Content-Type : text/plain\r\n\r\n"))
        XCTAssertEqual(e.headers["content-type"], "text/plain")
        XCTAssertEqual(e.contentType?.mimeType, "text/plain")
    }

    func testHeaderLimits() throws {
        let big = "X: " + String(repeating: "a", count: 2000) + "\r\n\r\nbody"
        XCTAssertMIMEError(.headerTooLarge, try MIMEEntity.parse(MemoryByteSource(big), limits: MIMELimits(maxHeaderBytes: 1000)))
        XCTAssertNoThrow(try MIMEEntity.parse(MemoryByteSource(big), limits: MIMELimits(maxHeaderBytes: 2005)))
        // No empty line within the limit, in a long source.
        let endless = [UInt8](repeating: 65, count: 100_000)
        XCTAssertMIMEError(.headerTooLarge, try MIMEEntity.parse(MemoryByteSource([UInt8]("X: ") + endless)))

        let many = (0..<101).map { "H\($0): v\r\n" }.joined() + "\r\n"
        XCTAssertMIMEError(.tooManyHeaders, try MIMEEntity.parse(MemoryByteSource(many)))
        let hundred = (0..<100).map { "H\($0): v\r\n" }.joined() + "\r\n"
        XCTAssertEqual(try MIMEEntity.parse(MemoryByteSource(hundred)).headers.count, 100)
    }

    func testTypedAccessors() throws {
        let e = try MIMEEntity.parse(
            MemoryByteSource(
                "Content-Type: Application/EDI-Consent\r\nContent-Transfer-Encoding:  Base64 \r\n"
                    + "Content-Disposition: attachment; filename=\"a b.edi\"\r\n\r\n"))
        XCTAssertEqual(e.contentType?.mimeType, "application/edi-consent")
        XCTAssertEqual(e.transferEncoding, "base64")
        XCTAssertEqual(e.contentDisposition?.filename, "a b.edi")
    }

    func testEntityWithHeadersFromElsewhere() throws {
        let body = MemoryByteSource("payload")
        let e = MIMEEntity(headers: ["Content-Type": "application/edi-x12"], body: body)
        XCTAssertEqual(e.headerRange, 0..<0)
        XCTAssertEqual(e.bodyRange, 0..<7)
        XCTAssertEqual(try e.bytes.readAll(), [UInt8]("payload"))
        XCTAssertEqual(e.contentType?.mimeType, "application/edi-x12")
        XCTAssertNil(e.transferEncoding)
    }

    func testParsingARangeKeepsAbsoluteOffsets() throws {
        let text = "prefix|A: 1\r\n\r\nbody|suffix"
        let e = try MIMEEntity.parse(MemoryByteSource(text), range: 7..<20)
        XCTAssertEqual(e.headerRange, 7..<13)
        XCTAssertEqual(e.bodyRange, 15..<20)
        XCTAssertEqual(try e.body.readAll(), [UInt8]("body|"))
    }

    func testHeadersSerializeAndEdit() {
        var h = MIMEHeaders([("A", "1"), ("b", "2"), ("B", "3")])
        XCTAssertEqual(h.serialized(), [UInt8]("A: 1\r\nb: 2\r\nB: 3\r\n"))
        h.set("B", "4")
        XCTAssertEqual(h.serialized(), [UInt8]("A: 1\r\nB: 4\r\n"))
        h.add("C", "5")
        h.remove("a")
        XCTAssertEqual(h.map(\.description), ["B: 4", "C: 5"])
        XCTAssertTrue(h.contains("c"))
    }
}
