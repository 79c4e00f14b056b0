import AS2Bytes
import AS2MIME
import AS2Protocol
import XCTest

final class AS2NameTests: XCTestCase {
    private func assertInvalid(_ headerValue: String, mentioning word: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try AS2Name(headerValue: headerValue), file: file, line: line) { error in
            guard let e = error as? AS2FieldError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.code, .invalidAS2Name, file: file, line: line)
            XCTAssertTrue(e.message.contains(word), "\(e.message) should mention \(word)", file: file, line: line)
        }
    }

    func testRFCExampleQuotedNameDecodesTo13Characters() throws {
        // Acceptance case 20: AS2-From: "\"  as2Name  \""
        let name = try AS2Name(headerValue: #""\"  as2Name  \"""#)
        XCTAssertEqual(name.value, #""  as2Name  ""#)
        XCTAssertEqual(name.value.count, 13)
        let reencoded = name.headerValue
        XCTAssertEqual(reencoded, #""\"  as2Name  \"""#)
        XCTAssertEqual(try AS2Name(headerValue: reencoded), name)
    }

    func testAtomicNamesStayUnquotedAndAreCaseSensitive() throws {
        let a = try AS2Name(headerValue: "  PartnerA\t")
        XCTAssertEqual(a.value, "PartnerA")
        XCTAssertEqual(a.headerValue, "PartnerA")
        XCTAssertNotEqual(a, try AS2Name("partnera"))
        XCTAssertEqual(try AS2Name(headerValue: "\"PartnerA\""), a)  // needless quotes are fine
        XCTAssertEqual(try AS2Name(headerValue: "a!#$%&'()*+,-./:;<=>?@[]^_`{|}~z").value.count, 32)
    }

    func testNamesWithSpacesQuotesOrBackslashesAreQuotedWithEscapes() throws {
        XCTAssertEqual(try AS2Name("AS2 Test").headerValue, "\"AS2 Test\"")
        XCTAssertEqual(try AS2Name(#"a"b"#).headerValue, #""a\"b""#)
        XCTAssertEqual(try AS2Name(#"a\b"#).headerValue, #""a\\b""#)
        for raw in ["AS2 Test", #"a"b"#, #"a\b"#, #" \" "#, "x"] {
            XCTAssertEqual(try AS2Name(headerValue: AS2Name(raw).headerValue).value, raw)
        }
    }

    func testLengthLimits() throws {
        XCTAssertNoThrow(try AS2Name(String(repeating: "a", count: 128)))
        XCTAssertNoThrow(try AS2Name(headerValue: "\"" + String(repeating: #"\""#, count: 128) + "\""))  // 128 units
        assertInvalid(String(repeating: "a", count: 129), mentioning: "129")  // acceptance case 65
        assertInvalid("\"" + String(repeating: "a", count: 129) + "\"", mentioning: "128")
        assertInvalid("", mentioning: "empty")
        assertInvalid("   ", mentioning: "empty")
        assertInvalid("\"\"", mentioning: "empty")
    }

    func testNonASCIIAndControlCharactersAreRejected() {
        assertInvalid("Pärtner", mentioning: "non-ASCII")  // acceptance case 65
        assertInvalid("\"a\u{7F}b\"", mentioning: "control")
        assertInvalid("\"a\u{01}b\"", mentioning: "control")
        assertInvalid("\"a\tb\"", mentioning: "control")
    }

    func testFoldedHeaderValueIsNeverAcceptedWithEmbeddedLineBreak() throws {
        // Acceptance case 64: raw folded value, and the same value after MIME unfolding.
        assertInvalid("Partner\r\n A", mentioning: "whitespace")
        let entity = try MIMEEntity.parse(MemoryByteSource("AS2-From: Partner\r\n A\r\n\r\n"))
        XCTAssertEqual(entity.headers["as2-from"], "Partner A")
        assertInvalid(entity.headers["as2-from"]!, mentioning: "whitespace")
        XCTAssertThrowsError(try AS2Name("Partner\r\nA"))
    }

    func testUnquotedSpecialsAndBadEscapesAreRejected() {
        assertInvalid("my partner", mentioning: "not quoted")
        assertInvalid(#"a"b"#, mentioning: "not quoted")
        assertInvalid(#"a\b"#, mentioning: "not quoted")
        assertInvalid(#""a\nb""#, mentioning: "backslash")
        assertInvalid(#""a"b""#, mentioning: "unescaped")
        assertInvalid(#""abc\""#, mentioning: "backslash")
    }
}

final class MessageIDTests: XCTestCase {
    func testGeneratedIDsAreBracketedUniqueAndFileSafe() {
        let a = MessageID.generate(domain: "as2.example.com")
        let b = MessageID.generate(domain: "as2.example.com")
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(a.hasPrefix("<") && a.hasSuffix("@as2.example.com>"), a)
        let weird = MessageID.generate(domain: "my \"host\"/x<y>@z")
        XCTAssertFalse(weird.dropFirst().dropLast().contains { " \"/<>".contains($0) }, weird)
        XCTAssertEqual(weird.filter { $0 == "@" }.count, 1, weird)
        XCTAssertLessThanOrEqual(MessageID.generate(domain: String(repeating: "d", count: 400)).count, 255)
        XCTAssertTrue(MessageID.generate(domain: "").hasSuffix("@as2-agent>"))
    }

    func testNormalizedKeyStripsOnePairOfBracketsAndWhitespace() {
        XCTAssertEqual(MessageID.normalizedKey(" <abc@def>\t"), "abc@def")
        XCTAssertEqual(MessageID.normalizedKey("abc@def"), "abc@def")  // acceptance case 19 (Sterling)
        XCTAssertEqual(MessageID.normalizedKey("<<x>>"), "<x>")
        XCTAssertEqual(MessageID.normalizedKey(#"<200207310834482A70BF63@\"~~foo~~\">"#), #"200207310834482A70BF63@\"~~foo~~\""#)
        XCTAssertEqual(MessageID.normalizedKey("<abc"), "<abc")
    }
}
