import AS2MIME
import XCTest

final class ContentTypeTests: XCTestCase {
    func testMendelsonTabBeforeBoundary() throws {
        let ct = try ContentType(
            parsing: "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha256; \tboundary=\"----=_Part_1_1464954728.1480403996634\"")
        XCTAssertEqual(ct.mimeType, "multipart/signed")
        XCTAssertEqual(ct[parameter: "protocol"], "application/pkcs7-signature")
        XCTAssertEqual(ct[parameter: "micalg"], "sha256")
        XCTAssertEqual(ct[parameter: "BOUNDARY"], "----=_Part_1_1464954728.1480403996634")
        XCTAssertEqual(ct.parameters.map(\.name), ["protocol", "micalg", "boundary"])
    }

    func testParametersInAnyOrderUnquotedAndOddSpacing() throws {
        let ct = try ContentType(
            parsing: "Multipart/Signed ;boundary=abc;micalg = SHA1 ;\tprotocol=application/pkcs7-signature;")
        XCTAssertEqual(ct.type, "multipart")
        XCTAssertEqual(ct.subtype, "signed")
        XCTAssertEqual(ct[parameter: "boundary"], "abc")
        XCTAssertEqual(ct[parameter: "micalg"], "SHA1")
        XCTAssertEqual(ct[parameter: "protocol"], "application/pkcs7-signature")
        XCTAssertEqual(ct.parameters.count, 3)
    }

    func testSterlingReportTypeWithoutSpaces() throws {
        let ct = try ContentType(parsing: "multipart/report;Report-Type=disposition-notification;boundary=\"_=A=_\"")
        XCTAssertEqual(ct[parameter: "report-type"], "disposition-notification")
        XCTAssertEqual(ct[parameter: "boundary"], "_=A=_")
    }

    func testQuotedValuesResolveBackslashEscapes() throws {
        let ct = try ContentType(parsing: #"text/plain; name="a \"quoted\" \\ name; with semicolon"; charset=us-ascii"#)
        XCTAssertEqual(ct[parameter: "name"], #"a "quoted" \ name; with semicolon"#)
        XCTAssertEqual(ct[parameter: "charset"], "us-ascii")
    }

    func testFoldedValueWithLineBreaksIsTolerated() throws {
        let ct = try ContentType(parsing: "multipart/report; report-type=disposition-notification;\r\n\tboundary=\"b1\"")
        XCTAssertEqual(ct[parameter: "boundary"], "b1")
    }

    func testInvalidContentTypes() {
        for bad in ["", "text", "/plain", "text/", "te xt/plain", "text/pl ain; a=b"] {
            XCTAssertThrowsError(try ContentType(parsing: bad), bad) { XCTAssertEqual(($0 as? MIMEError)?.code, .invalidContentType) }
        }
    }

    func testHeaderValueQuotesWhatNeedsQuotesAndAlwaysProtocol() throws {
        let ct = ContentType(
            "multipart/signed",
            parameters: [("protocol", "application/pkcs7-signature"), ("micalg", "sha-256"), ("boundary", "----=_Part_x")])
        XCTAssertEqual(
            ct.headerValue, #"multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="----=_Part_x""#)
        let p = ContentType("application/pkcs7-mime", parameters: [("smime-type", "enveloped-data"), ("name", "smime.p7m")])
        XCTAssertEqual(p.headerValue, "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m")
        let q = ContentType("text/plain", parameters: [("protocol", "x"), ("name", #"a"b\c"#), ("empty", "")])
        XCTAssertEqual(q.headerValue, #"text/plain; protocol="x"; name="a\"b\\c"; empty="""#)
    }

    func testHeaderValueRoundTrips() throws {
        let ct = ContentType(
            "Application/EDIFACT", parameters: [("Name", "päyload; x=\"y\".edi"), ("boundary", "a/b"), ("charset", "utf-8")])
        XCTAssertEqual(ct.mimeType, "application/edifact")
        XCTAssertEqual(try ContentType(parsing: ct.headerValue), ct)
    }

    func testEqualityIgnoresParameterOrder() throws {
        XCTAssertEqual(try ContentType(parsing: "a/b; x=1; y=2"), try ContentType(parsing: "A/B; y=2; X=1"))
        XCTAssertNotEqual(try ContentType(parsing: "a/b; x=1"), try ContentType(parsing: "a/b; x=2"))
    }

    func testSetParameter() {
        var ct = ContentType("text/plain")
        ct.setParameter("Charset", "utf-8")
        ct.setParameter("charset", "us-ascii")
        XCTAssertEqual(ct.headerValue, "text/plain; charset=us-ascii")
        ct.setParameter("charset", nil)
        XCTAssertEqual(ct.headerValue, "text/plain")
        XCTAssertTrue(ct.is("TEXT/Plain"))
    }
}

final class ContentDispositionTests: XCTestCase {
    func testPlainAndQuotedFilename() throws {
        XCTAssertEqual(try ContentDisposition(parsing: "attachment; filename=payload.txt").filename, "payload.txt")
        let d = try ContentDisposition(parsing: "Attachment ;filename=\"my file.edi\"")
        XCTAssertEqual(d.type, "attachment")
        XCTAssertEqual(d.filename, "my file.edi")
    }

    func testRFC2231FilenameIsPreferred() throws {
        let d = try ContentDisposition(parsing: "attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt")
        XCTAssertEqual(d.filename, "€ rates.txt")
        let latin = try ContentDisposition(parsing: "attachment; filename*=iso-8859-1'en'caf%E9.txt")
        XCTAssertEqual(latin.filename, "café.txt")
    }

    func testRFC2231Continuations() throws {
        let d = try ContentDisposition(parsing: "attachment; filename*0*=UTF-8''%C3%A4bc; filename*1=\"def\"; filename*2*=%2Eedi")
        XCTAssertEqual(d.filename, "äbcdef.edi")
    }

    func testUndecodableExtendedValueFallsBack() throws {
        let d = try ContentDisposition(parsing: "attachment; filename=\"ok.txt\"; filename*=UTF-8''%ZZ")
        XCTAssertEqual(d.filename, "ok.txt")
    }

    func testHeaderValue() throws {
        XCTAssertEqual(ContentDisposition(type: "attachment", filename: "smime.p7s").headerValue, "attachment; filename=\"smime.p7s\"")
        XCTAssertEqual(ContentDisposition(type: "inline").headerValue, "inline")
        let utf = ContentDisposition(filename: "Rechnung März.pdf")
        XCTAssertEqual(utf.headerValue, "attachment; filename=\"Rechnung M_rz.pdf\"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf")
        XCTAssertEqual(try ContentDisposition(parsing: utf.headerValue).filename, "Rechnung März.pdf")
    }

    func testMissingTypeIsInvalid() {
        XCTAssertThrowsError(try ContentDisposition(parsing: "filename=x")) { XCTAssertEqual(($0 as? MIMEError)?.code, .invalidContentType) }
        XCTAssertThrowsError(try ContentDisposition(parsing: "  ")) { XCTAssertEqual(($0 as? MIMEError)?.code, .invalidContentType) }
    }
}
