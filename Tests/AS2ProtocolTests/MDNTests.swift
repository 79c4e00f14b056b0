import AS2Bytes
import AS2Crypto
import AS2MIME
@testable import AS2Protocol
import Foundation
import XCTest

/// Receipts built, parsed and evaluated (requirements §4), including the tolerances of §4.10 and
/// the sender-side cases 68–71.
final class MDNTests: XCTestCase {
    let x = Exchange()

    /// GLOBEX sends, ACME receives and answers with `disposition`; returns what GLOBEX sees.
    func receipt(
        signed: Bool = true, tamper: ((inout [UInt8]) -> Void)? = nil, signer: Identity? = nil,
        disposition: Disposition? = nil, overrideMIC: ReceivedContentMIC?? = nil
    ) throws -> (PreparedMessage, ParsedMDN, MDNEvaluation) {
        let message = try x.build(lfText, x.options(mdn: MDNRequest(signingDigest: signed ? .sha256 : nil)))
        let (request, result) = try x.unpack(headers: message.headers.map { ($0.name, $0.value) }, body: message.body)
        let m = try accepted(result)
        let report = MDNBuilder.report(for: request, disposition: disposition ?? .processed, mic: overrideMIC ?? m.mic, reason: disposition == nil ? nil : "test reason")
        let mdn = try MDNBuilder.build(
            report: report, from: request.as2To, to: request.as2From, messageID: MessageID.generate(domain: "acme.test"),
            signer: request.mdnRequest?.signingDigest == nil ? nil : (signer ?? x.parties.acme), digest: request.mdnRequest?.signingDigest
        )
        var body = mdn.body
        tamper?(&body)
        let parsed = try MDNParser.parse(headers: mdn.headers.map { ($0.name, $0.value) }, body: MemoryByteSource(body), trusted: [x.parties.acme.certificate])
        let evaluation = MDNEvaluator.evaluate(parsed, expecting: MDNExpectation(
            messageID: message.messageID, ourID: try AS2Name("GLOBEX"), partnerID: try AS2Name("ACME"),
            expectedMICs: message.expectedMICs, signedReceiptRequested: signed
        ))
        return (message, parsed, evaluation)
    }

    func testSignedAndUnsignedReceiptsVerifyAndMatch() throws {
        let (message, parsed, evaluation) = try receipt(signed: true)
        XCTAssertTrue(parsed.isSigned)
        XCTAssertTrue(parsed.signatureVerified)
        XCTAssertEqual(parsed.report.originalMessageID, message.messageID)
        XCTAssertEqual(evaluation.verdict, .delivered)
        XCTAssertEqual(evaluation.micMatched, true)
        let (_, unsigned, e2) = try receipt(signed: false)
        XCTAssertFalse(unsigned.isSigned)
        XCTAssertEqual(e2.verdict, .delivered)
    }

    func testNegativeReceiptIsAFailure() throws {
        let (_, parsed, e) = try receipt(disposition: DispositionError.decryptionFailed.disposition)
        XCTAssertNil(parsed.report.receivedContentMIC)
        guard case let .failed(category, _) = e.verdict else { return XCTFail("\(e.verdict)") }
        XCTAssertEqual(category, "negative-mdn")
    }

    func testMICMismatchFails() throws {
        // Case 68.
        let wrong = ReceivedContentMIC(digest: [UInt8](repeating: 7, count: 32), algorithm: .sha256)
        let (_, _, e) = try receipt(overrideMIC: .some(wrong))
        guard case let .failed(category, _) = e.verdict else { return XCTFail("\(e.verdict)") }
        XCTAssertEqual(category, "mic-mismatch")
    }

    func testTamperedOrForeignSignedReceiptIsInvalid() throws {
        // Case 70.
        let (_, _, e1) = try receipt(signer: x.parties.mallory)
        guard case .invalid = e1.verdict else { return XCTFail("\(e1.verdict)") }
        let (_, _, e2) = try receipt(tamper: { body in
            let s = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "processed", with: "processeD")
            body = Array(s.utf8)
        })
        guard case .invalid = e2.verdict else { return XCTFail("\(e2.verdict)") }
    }

    func testUnsignedReceiptWhenSignedWasRequestedHasNoNRR() throws {
        // Case 69: build an unsigned receipt for a message that asked for a signed one.
        let message = try x.build(lfText, x.options(mdn: MDNRequest(signingDigest: .sha256)))
        let (request, result) = try x.unpack(headers: message.headers.map { ($0.name, $0.value) }, body: message.body)
        let m = try accepted(result)
        let mdn = try MDNBuilder.build(report: MDNBuilder.report(for: request, disposition: .processed, mic: m.mic, reason: nil), from: request.as2To, to: request.as2From, messageID: "<r@acme>", signer: nil, digest: nil)
        let parsed = try MDNParser.parse(headers: mdn.headers.map { ($0.name, $0.value) }, body: MemoryByteSource(mdn.body), trusted: [x.parties.acme.certificate])
        var expectation = MDNExpectation(messageID: message.messageID, ourID: try AS2Name("GLOBEX"), partnerID: try AS2Name("ACME"), expectedMICs: message.expectedMICs, signedReceiptRequested: true)
        guard case let .failed(category, _) = MDNEvaluator.evaluate(parsed, expecting: expectation).verdict else { return XCTFail() }
        XCTAssertEqual(category, "unsigned-mdn")
        expectation.requireSignedReceipt = false
        guard case .deliveredWithWarning = MDNEvaluator.evaluate(parsed, expecting: expectation).verdict else { return XCTFail() }
    }

    func testReceiptForAnotherMessageIsInvalid() throws {
        // Case 71, and case 19: brackets do not matter for correlation.
        let (message, parsed, _) = try receipt()
        var e = MDNExpectation(messageID: "<other@x>", ourID: try AS2Name("GLOBEX"), partnerID: try AS2Name("ACME"), expectedMICs: message.expectedMICs, signedReceiptRequested: true)
        guard case .invalid = MDNEvaluator.evaluate(parsed, expecting: e).verdict else { return XCTFail() }
        e.messageID = String(message.messageID.dropFirst().dropLast())
        XCTAssertEqual(MDNEvaluator.evaluate(parsed, expecting: e).verdict, .delivered)
    }

    func testSterlingStyleReceiptParses() throws {
        // Case 17 / §4.10: no spaces, Report-Type, first part without Content-Type, MIC "=,sha1",
        // folded Disposition, signature as binary DER without CTE.
        let mic = Data(try Digest.compute(.sha1, over: MemoryByteSource("x"))).base64EncodedString()
        let report = "--R1\r\n\r\nhuman text\r\n--R1\r\nContent-Type: message/disposition-notification\r\n\r\n"
            + "Reporting-UA: Sterling\r\nOriginal-Message-ID: abc@sterling\r\nDisposition: Automatic-action/mdn-sent-automatically;\r\n\tprocessed\r\n"
            + "Received-content-MIC: \(mic),sha1\r\n\r\n--R1--\r\n"
        let reportEntity = "Content-Type: multipart/report;Report-Type=disposition-notification;boundary=\"R1\"\r\n\r\n" + report
        let signature = try CMS.signDetached(content: MemoryByteSource(reportEntity), signer: x.parties.acme, digest: .sha1)
        let body: [UInt8] = Array(("--S1\r\n" + reportEntity + "\r\n--S1\r\nContent-Type: Application/pkcs7-signature;name=EDIINTSIG.p7s\r\n\r\n").utf8)
            + signature + Array("\r\n--S1--\r\n".utf8)
        let parsed = try MDNParser.parse(
            headers: [("Content-Type", "multipart/signed;protocol=\"application/pkcs7-signature\";micalg=sha1;boundary=\"S1\""), ("AS2-From", "ACME"), ("AS2-To", "GLOBEX")],
            body: MemoryByteSource(body), trusted: [x.parties.acme.certificate]
        )
        XCTAssertTrue(parsed.signatureVerified)
        XCTAssertEqual(parsed.report.originalMessageID, "abc@sterling")
        XCTAssertEqual(parsed.report.disposition?.isSuccess, true)
        XCTAssertEqual(parsed.report.receivedContentMIC?.algorithm, .sha1)
        XCTAssertEqual(parsed.report.text, "human text")
    }

    func testBareDispositionNotificationIsAccepted() throws {
        let parsed = try MDNParser.parse(
            headers: [("Content-Type", "message/disposition-notification")],
            body: MemoryByteSource("Original-Message-ID: <m@x>\r\nDisposition: automatic-action/MDN-sent-automatically; processed/warning: duplicate-document\r\n"),
            trusted: []
        )
        XCTAssertEqual(parsed.report.disposition?.isWarning, true)
        XCTAssertFalse(parsed.isSigned)
    }

    func testHTMLInsteadOfAReceiptIsNotAnMDN() {
        // Case 73.
        XCTAssertThrowsError(try MDNParser.parse(headers: [("Content-Type", "text/html")], body: MemoryByteSource("<html>oops</html>"), trusted: []))
    }

    func testDNOOptionsDriveTheReceiptSigningDigest() throws {
        // Cases 14–16 at the request level.
        func digest(_ dno: String) throws -> DigestAlgorithm? {
            try InboundRequest(headers: [
                ("AS2-From", "A"), ("AS2-To", "B"), ("Message-ID", "<1@x>"), ("Content-Type", "text/plain"),
                ("Disposition-Notification-To", "x"), ("Disposition-Notification-Options", dno),
            ]).mdnRequest?.signingDigest
        }
        XCTAssertEqual(try digest("signed-receipt-micalg=Optional,sha-256 ; signed-receipt-protocol=Optional,pkcs7-signature;"), .sha256)
        XCTAssertEqual(try digest("signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-512, sha-256"), .sha512)
        XCTAssertEqual(try digest("signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, foo, sha-256"), .sha256)
    }
}
