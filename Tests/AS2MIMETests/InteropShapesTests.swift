import AS2Bytes
import AS2MIME
import XCTest

/// Message shapes seen from real products (requirements §4.10, acceptance cases 17, 23, 24, 53, 54).
final class InteropShapesTests: XCTestCase {
    /// IBM Sterling-style signed MDN: `Report-Type=` without spaces, a first report part without
    /// any header, and a raw DER signature part without Content-Transfer-Encoding.
    func testSterlingStyleSignedMDN() throws {
        let der: [UInt8] = [0x30, 0x82, 0x01, 0x0D, 0x0A, 0x2D, 0x2D, 0x0D, 0x0A, 0x2D, 0x2D, 0x5F, 0x00, 0xFF, 0x0D]
        let report = "Content-Type: multipart/report;Report-Type=disposition-notification;boundary=\"_=R=_\"\r\n\r\n"
            + "--_=R=_\r\n\r\nThe message was successfully received.\r\n"
            + "--_=R=_\r\nContent-Type: message/disposition-notification\r\n\r\n"
            + "Original-Message-ID: msg-1@sterling\r\nDisposition: Automatic-action/mdn-sent-automatically;processed\r\n"
            + "Received-Content-MIC: AAAA,sha1\r\n\r\n--_=R=_--\r\n"
        let head = "Content-Type: multipart/signed;protocol=\"application/pkcs7-signature\";micalg=sha1;boundary=\"_=S=_\"\r\n\r\n"
            + "--_=S=_\r\n" + report + "\r\n--_=S=_\r\nContent-Type: Application/pkcs7-signature;name=EDIINTSIG.p7s\r\n\r\n"
        let bytes = [UInt8](head) + der + [UInt8]("\r\n--_=S=_--\r\n")
        let (dir, cleanup) = try makeTemporaryDirectory()
        defer { cleanup() }
        for (name, source) in try equivalentSources(bytes, directory: dir) {
            let signed = try Multipart.parse(MIMEEntity.parse(source))
            XCTAssertEqual(signed.parts.count, 2, name)
            XCTAssertEqual(try signed.parts[0].bytes.readAll(), [UInt8](report), name)  // what the signature covers
            XCTAssertEqual(try signed.parts[1].body.readAll(), der, name)
            XCTAssertNil(signed.parts[1].transferEncoding)
            XCTAssertEqual(signed.parts[1].contentType?.mimeType, "application/pkcs7-signature")
            XCTAssertEqual(signed.parts[1].contentType?[parameter: "name"], "EDIINTSIG.p7s")
            XCTAssertFalse(try TransferEncoding.looksLikeBase64(signed.parts[1].body))

            let reportEntity = signed.parts[0]
            XCTAssertEqual(reportEntity.contentType?[parameter: "report-type"], "disposition-notification")
            let parts = try Multipart.parse(reportEntity).parts
            XCTAssertTrue(parts[0].headers.isEmpty)
            XCTAssertEqual(try parts[0].body.readAll(), [UInt8]("The message was successfully received."))
            let fields = try MIMEEntity.parse(parts[1].body)
            XCTAssertEqual(fields.headers["disposition"], "Automatic-action/mdn-sent-automatically;processed")
            XCTAssertEqual(fields.headers["received-content-mic"], "AAAA,sha1")
        }
    }

    /// Mendelson's captured request, bare-LF as stored in pyas2lib's fixtures, with lower-case
    /// header names, a TAB before `boundary=` and a base64 signature part.
    func testMendelsonStyleSignedMessage() throws {
        let payload = "UNB+UNOA:2+<Sender GLN>:14+<Receiver GLN>:14+140407:0910+5++++1+EANCOM'\nUNH+1+ORDERS:D:96A:UN:EAN008'\n\n"
        let firstPart = "Content-Type: application/EDI-Consent\nContent-Transfer-Encoding: binary\nContent-Disposition: attachment; filename=payload.txt\n\n" + payload
        let text = "content-type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha1; \tboundary=\"----=_Part_1_1464954728.1480403996634\"\n\n"
            + "------=_Part_1_1464954728.1480403996634\n" + firstPart + "\n"
            + "------=_Part_1_1464954728.1480403996634\nContent-Type: application/pkcs7-signature; name=smime.p7s; smime-type=signed-data\n"
            + "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHAqCAMIACAQExCzAJBgUrDgMCGgUAMIAGCSqGSIb3DQEHAQAAoIAwggPoMIIC\nnff3ayr901968vxmobirT9Pw4dj+OMVwm671ORUlOvr4lMPUEFUHh9nVNAAAAAAAAA==\n"
            + "------=_Part_1_1464954728.1480403996634--\n"
        let entity = try MIMEEntity.parse(MemoryByteSource(text))
        let ct = try XCTUnwrap(entity.contentType)
        XCTAssertEqual(ct[parameter: "micalg"], "sha1")
        let mp = try Multipart.parse(entity)
        XCTAssertEqual(try mp.parts[0].bytes.readAll(), [UInt8](firstPart))
        XCTAssertEqual(mp.parts[0].headerLineEnding, .lf)
        XCTAssertEqual(mp.parts[0].contentType?.mimeType, "application/edi-consent")
        XCTAssertEqual(mp.parts[0].contentDisposition?.filename, "payload.txt")
        let sig = MemorySink()
        try TransferEncoding.decode(mp.parts[1], to: sig)
        XCTAssertEqual(Array(sig.bytes.prefix(2)), [0x30, 0x80])
    }

    /// Acceptance cases 23 and 54: an HTTP body sent base64-encoded with an HTTP-level CTE.
    func testHTTPLevelBase64Body() throws {
        let inner = [UInt8]("Content-Type: application/edi-x12\r\n\r\nISA*00~")
        let http = MIMEEntity(
            headers: ["Content-Type": "application/pkcs7-mime; smime-type=enveloped-data", "Content-Transfer-Encoding": "base64"],
            body: MemoryByteSource(TransferEncoding.encodeBase64(inner)))
        let decoded = MemorySink()
        try TransferEncoding.decode(http, to: decoded)
        XCTAssertEqual(decoded.bytes, inner)

        let corrupt = MIMEEntity(headers: ["Content-Transfer-Encoding": "base64"], body: MemoryByteSource("SVNB*KjAwfg=="))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decode(corrupt, to: DiscardSink()))
    }

    /// Acceptance case 53: `*` characters in a base64 signature part are an error, not skipped.
    func testInvalidBase64SignaturePart() throws {
        let text = "Content-Type: multipart/signed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
            + "--b\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAG**qG\r\n--b--\r\n"
        let mp = try Multipart.parse(MIMEEntity.parse(MemoryByteSource(text)))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decode(mp.parts[1], to: DiscardSink()))
    }
}
