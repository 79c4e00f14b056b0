import AS2Crypto
import AS2Protocol
import XCTest

final class DispositionNotificationOptionsTests: XCTestCase {
    func testCanonicalRequest() {
        let dno = DispositionNotificationOptions(
            parsing: "signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256")
        XCTAssertEqual(dno.signedReceiptProtocol?.importance, .optional)
        XCTAssertEqual(dno.signedReceiptProtocol?.values, ["pkcs7-signature"])
        XCTAssertEqual(dno.signedReceiptMICAlgorithms?.names, ["sha-256"])
        XCTAssertTrue(dno.signedReceiptRequested)
        XCTAssertEqual(dno.mdnSigningDigest(), .sha256)
        XCTAssertNil(dno.failure)
        XCTAssertTrue(dno.problems.isEmpty)
    }

    func testReorderedOddCaseSpacingAndTrailingSemicolon() {
        // Acceptance case 14.
        let dno = DispositionNotificationOptions(
            parsing: "signed-receipt-micalg=Optional,sha-256 ; signed-receipt-protocol=Optional,pkcs7-signature;")
        XCTAssertTrue(dno.signedReceiptRequested)
        XCTAssertEqual(dno.mdnSigningDigest(), .sha256)
        XCTAssertEqual(dno.signedReceiptProtocol?.importance, .optional)
        XCTAssertNil(dno.failure)
        // Sterling: no spaces at all; folded value; quoted items; upper case.
        let sterling = DispositionNotificationOptions(
            parsing: "signed-receipt-protocol=optional,pkcs7-signature;signed-receipt-micalg=optional,sha1")
        XCTAssertEqual(sterling.mdnSigningDigest(), .sha1)
        let folded = DispositionNotificationOptions(
            parsing: "Signed-Receipt-Protocol = REQUIRED , \"PKCS7-Signature\" ;\r\n\tsigned-receipt-micalg = required , \"SHA256\"")
        XCTAssertEqual(folded.signedReceiptProtocol?.importance, .required)
        XCTAssertEqual(folded.signedReceiptProtocol?.values, ["pkcs7-signature"])
        XCTAssertEqual(folded.mdnSigningDigest(), .sha256)
        XCTAssertNil(folded.failure)
    }

    func testFirstSupportedAlgorithmLeftToRight() {
        // Acceptance cases 15 and 16.
        XCTAssertEqual(DispositionNotificationOptions(parsing: "signed-receipt-micalg=optional, sha-512, sha-256").mdnSigningDigest(), .sha512)
        XCTAssertEqual(DispositionNotificationOptions(parsing: "signed-receipt-micalg=optional, foo, sha-256").mdnSigningDigest(), .sha256)
        XCTAssertEqual(
            DispositionNotificationOptions(parsing: "signed-receipt-micalg=optional, md5, sha1").mdnSigningDigest(), .sha1,
            "md5 is never used to sign")
        XCTAssertEqual(
            DispositionNotificationOptions(parsing: "signed-receipt-micalg=optional, sha-512, sha-256").mdnSigningDigest(supported: [.sha256]),
            .sha256)
        XCTAssertNil(DispositionNotificationOptions(parsing: "signed-receipt-micalg=optional, foo").mdnSigningDigest())
        XCTAssertNil(DispositionNotificationOptions(parsing: "signed-receipt-protocol=optional, pkcs7-signature").mdnSigningDigest())
    }

    func testHistoricalAndNonStandardAlgorithmNames() {
        for (name, digest) in [("rsa-sha1", DigestAlgorithm.sha1), ("SHA1", .sha1), ("sha_256", .sha256), ("sha2_256", .sha256), ("SHA256", .sha256), ("sha2_512", .sha512)] {
            XCTAssertEqual(DispositionNotificationOptions(parsing: "signed-receipt-micalg=optional, \(name)").mdnSigningDigest(), digest, name)
        }
    }

    func testSignedReceiptRequested() {
        XCTAssertFalse(DispositionNotificationOptions(parsing: "").signedReceiptRequested)
        XCTAssertFalse(DispositionNotificationOptions(parsing: "signed-receipt-protocol=optional, pgp-signature").signedReceiptRequested)
        XCTAssertTrue(DispositionNotificationOptions(parsing: "signed-receipt-protocol=required, pkcs7-signature").signedReceiptRequested)
        XCTAssertTrue(DispositionNotificationOptions(parsing: "signed-receipt-micalg=optional, sha1").signedReceiptRequested)
    }

    func testUnsupportedRequiredRequestsGiveFailedDispositions() {
        // Acceptance case 46.
        XCTAssertEqual(
            DispositionNotificationOptions(parsing: "signed-receipt-protocol=required, pgp-signature").failure,
            .failure("unsupported format"))
        // Acceptance case 47.
        XCTAssertEqual(
            DispositionNotificationOptions(parsing: "signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=required, md2").failure,
            .failure("unsupported MIC-algorithms"))
        XCTAssertEqual(DispositionNotificationOptions(parsing: "signed-receipt-micalg=required, md5").failure, .failure("unsupported MIC-algorithms"))
        // Acceptance case 48 (R-DNO-2).
        let unknown = DispositionNotificationOptions(parsing: "x-foo=required, bar; signed-receipt-protocol=optional, pkcs7-signature")
        XCTAssertEqual(unknown.unknownRequiredParameters, ["x-foo"])
        XCTAssertEqual(unknown.failure?.type, .failed)
        // The same problems with importance optional fall back instead of failing (R-DNO-5).
        XCTAssertNil(DispositionNotificationOptions(parsing: "signed-receipt-protocol=optional, pgp-signature").failure)
        XCTAssertNil(DispositionNotificationOptions(parsing: "signed-receipt-micalg=optional, md2").failure)
        XCTAssertNil(DispositionNotificationOptions(parsing: "x-foo=optional, bar").failure)
        XCTAssertEqual(
            DispositionNotificationOptions(parsing: "signed-receipt-micalg=required, sha-512").failure(supported: [.sha256]),
            .failure("unsupported MIC-algorithms"))
    }

    func testProblemsAreRecordedNotThrown() {
        let dno = DispositionNotificationOptions(parsing: "garbage; signed-receipt-protocol=pkcs7-signature;;")
        XCTAssertEqual(dno.problems.count, 2)
        XCTAssertEqual(dno.signedReceiptProtocol?.importance, .optional)
        XCTAssertEqual(dno.signedReceiptProtocol?.values, ["pkcs7-signature"])
        XCTAssertTrue(dno.signedReceiptRequested)
    }

    func testCanonicalEmit() {
        XCTAssertEqual(
            DispositionNotificationOptions.requestSigned(digest: .sha256),
            "signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256")
        XCTAssertEqual(
            DispositionNotificationOptions.requestSigned(digest: .sha1, legacyNames: true),
            "signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha1")
        XCTAssertEqual(
            DispositionNotificationOptions.requestSigned(digest: .sha384, importance: .required),
            "signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, sha-384")
        let roundTrip = DispositionNotificationOptions(parsing: DispositionNotificationOptions.requestSigned(digest: .sha512))
        XCTAssertEqual(roundTrip.mdnSigningDigest(), .sha512)
    }
}
