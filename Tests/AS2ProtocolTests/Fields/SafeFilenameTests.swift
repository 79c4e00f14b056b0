import AS2Protocol
import XCTest

final class SafeFilenameTests: XCTestCase {
    func testPathComponentsAreRemoved() {
        // Acceptance cases 55 and 56.
        XCTAssertEqual(SafeFilename.sanitize("../../etc/passwd"), "passwd")
        XCTAssertEqual(SafeFilename.sanitize("C:\\temp\\x.edi"), "x.edi")
        XCTAssertEqual(SafeFilename.sanitize("/abs/path/order.xml"), "order.xml")
        XCTAssertEqual(SafeFilename.sanitize("dir\\..\\..\\win.ini"), "win.ini")
        XCTAssertNil(SafeFilename.sanitize("a/b/"))
        XCTAssertNil(SafeFilename.sanitize(".."))
        XCTAssertNil(SafeFilename.sanitize("."))
        XCTAssertNil(SafeFilename.sanitize("x/.."))
        XCTAssertNil(SafeFilename.sanitize(""))
    }

    func testControlCharactersColonsAndLeadingDots() {
        XCTAssertEqual(SafeFilename.sanitize("in\u{0}voice\u{1B}.edi"), "invoice.edi")
        XCTAssertEqual(SafeFilename.sanitize("a\r\nb.txt"), "ab.txt")
        XCTAssertEqual(SafeFilename.sanitize("C:invoice.edi"), "C_invoice.edi")
        XCTAssertEqual(SafeFilename.sanitize("...hidden"), "hidden")
        XCTAssertEqual(SafeFilename.sanitize(".bashrc"), "bashrc")
        XCTAssertEqual(SafeFilename.sanitize("what?*.txt"), "what__.txt")
        XCTAssertEqual(SafeFilename.sanitize("report.pdf. . "), "report.pdf")
        XCTAssertEqual(SafeFilename.sanitize("evil\u{202E}fdp.exe"), "evilfdp.exe")
        XCTAssertEqual(SafeFilename.sanitize("Rechnung März.pdf"), "Rechnung März.pdf")
        XCTAssertNil(SafeFilename.sanitize("\u{0}\u{1}"))
        XCTAssertNil(SafeFilename.sanitize(" . "))
    }

    func testWindowsDeviceNames() {
        for n in ["CON", "con", "NUL", "PRN", "AUX", "COM1", "lpt9", "CON.txt", "nul.edi"] {
            let s = SafeFilename.sanitize(n)
            XCTAssertEqual(s, "_" + n, n)
        }
        XCTAssertEqual(SafeFilename.sanitize("CONSOLE.txt"), "CONSOLE.txt")
        XCTAssertEqual(SafeFilename.sanitize("COM10"), "COM10")
    }

    func testLongNamesAreCutTo255BytesKeepingTheExtension() throws {
        let long = String(repeating: "a", count: 300) + ".edi"
        let s = try XCTUnwrap(SafeFilename.sanitize(long))
        XCTAssertEqual(s.utf8.count, 255)
        XCTAssertTrue(s.hasSuffix(".edi"))
        let multibyte = String(repeating: "ä", count: 200) + ".xml"  // 2 bytes each
        let m = try XCTUnwrap(SafeFilename.sanitize(multibyte))
        XCTAssertLessThanOrEqual(m.utf8.count, 255)
        XCTAssertTrue(m.hasSuffix(".xml"))
        XCTAssertEqual(m.utf8.count, 254)  // 125 × 2 + 4: no half character
        let noExt = String(repeating: "b", count: 400)
        XCTAssertEqual(SafeFilename.sanitize(noExt)?.utf8.count, 255)
    }

    func testNameFromMessageID() {
        XCTAssertEqual(SafeFilename.fromMessageID("<abc-123@host.example>"), "msg-abc-123@host.example")
        XCTAssertEqual(SafeFilename.fromMessageID(#"<200207310834482A70BF63@\"~~foo~~\">"#), "msg-200207310834482A70BF63@____foo____")
        XCTAssertEqual(SafeFilename.fromMessageID("<../../x>"), "msg-.._.._x")
        XCTAssertEqual(SafeFilename.fromMessageID("<>"), "msg-unnamed")
        XCTAssertLessThanOrEqual(SafeFilename.fromMessageID(String(repeating: "x", count: 999)).utf8.count, 255)
        let generated = SafeFilename.fromMessageID(MessageID.generate(domain: "example.com"))
        XCTAssertEqual(SafeFilename.sanitize(generated), generated)
    }
}

final class HTTPDateTests: XCTestCase {
    func testFormatIsIMFFixdate() {
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777)), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 0)), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 951_782_400)), "Tue, 29 Feb 2000 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 4_102_444_799.9)), "Thu, 31 Dec 2099 23:59:59 GMT")
    }

    func testParseAcceptsTheFormsSeenInTheWild() {
        let t = Date(timeIntervalSince1970: 784_111_777)
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"), t)
        XCTAssertEqual(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"), t)
        XCTAssertEqual(HTTPDate.parse("Sun Nov  6 08:49:37 1994"), t)
        XCTAssertEqual(HTTPDate.parse("Sun, 6 Nov 1994 08:49:37 UTC"), t)  // Mendelson
        XCTAssertEqual(HTTPDate.parse("6 Nov 1994 09:49:37 +0100"), t)
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 03:49:37 -0500 (EST)"), t)
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 03:49:37 EST"), t)
        XCTAssertEqual(HTTPDate.parse("Sun, 06 November 1994 08:49:37 GMT"), t)
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 08:49 GMT"), Date(timeIntervalSince1970: 784_111_740))
        XCTAssertEqual(HTTPDate.parse("Tue, 29 Nov 2016 13:33:36 IST"), HTTPDate.parse("29 Nov 2016 13:33:36 GMT"))
        for d in [Date(timeIntervalSince1970: 1_700_000_000), Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 2_000_000_000)] {
            XCTAssertEqual(HTTPDate.parse(HTTPDate.format(d)), d)
        }
    }

    func testParseRejectsGarbage() {
        for bad in ["", "yesterday", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 2001 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 +99", "06 Nov 1994"]
        {
            XCTAssertNil(HTTPDate.parse(bad), bad)
        }
    }
}
