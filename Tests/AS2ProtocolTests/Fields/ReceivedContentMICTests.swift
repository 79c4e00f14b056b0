import AS2Crypto
import AS2MIME
import AS2Protocol
import XCTest

final class ReceivedContentMICTests: XCTestCase {
    let digest: [UInt8] = (0..<20).map { UInt8($0 * 13 % 256) }

    func testHeaderValueIsOneCommaAndOneSpace() {
        let mic = ReceivedContentMIC(digest: digest, algorithm: .sha1)
        XCTAssertEqual(mic.headerValue, TransferEncoding.encodeBase64(digest, lineLength: nil) + ", sha-1")
        XCTAssertEqual(ReceivedContentMIC(digest: digest, algorithm: .sha1, name: "sha1").headerValue.hasSuffix(", sha1"), true)
        let long = ReceivedContentMIC(digest: [UInt8](repeating: 7, count: 64), algorithm: .sha512)
        XCTAssertFalse(long.headerValue.contains("\r\n"))
    }

    func testSterlingFormWithoutSpaceParsesAndMatches() throws {
        // Acceptance case 17: "…=,sha1".
        let b64 = TransferEncoding.encodeBase64(digest, lineLength: nil)
        let received = try ReceivedContentMIC(parsing: b64 + ",sha1")
        XCTAssertEqual(received.digest, digest)
        XCTAssertEqual(received.algorithmName, "sha1")
        XCTAssertEqual(received.algorithm, .sha1)
        // Acceptance case 18: we requested sha-1, the partner labels it sha1.
        XCTAssertTrue(received.matches(ReceivedContentMIC(digest: digest, algorithm: .sha1)))
    }

    func testFoldedAndSpacedValues() throws {
        let b64 = TransferEncoding.encodeBase64(digest, lineLength: nil)
        let mic = try ReceivedContentMIC(parsing: "  \(b64)\r\n\t,  SHA-1 ")
        XCTAssertEqual(mic.digest, digest)
        XCTAssertEqual(mic.algorithm, .sha1)
    }

    func testMatchingComparesDecodedDigestAndNormalisedAlgorithm() throws {
        let a = ReceivedContentMIC(digest: digest, algorithm: .sha1)
        for name in ["sha1", "SHA1", "sha-1", "rsa-sha1", "sha_1"] {
            XCTAssertTrue(a.matches(ReceivedContentMIC(digest: digest, algorithm: .sha1, name: name)), name)
        }
        XCTAssertFalse(a.matches(ReceivedContentMIC(digest: digest, algorithm: .sha256)))
        var other = digest
        other[0] ^= 1
        XCTAssertFalse(a.matches(ReceivedContentMIC(digest: other, algorithm: .sha1)))
        // Unknown algorithm names compare by normalised spelling.
        let x = try ReceivedContentMIC(parsing: "AAAA, sha3-256")
        XCTAssertNil(x.algorithm)
        XCTAssertTrue(x.matches(try ReceivedContentMIC(parsing: "AAAA, SHA3_256")))
        XCTAssertFalse(x.matches(try ReceivedContentMIC(parsing: "AAAA, sha3-512")))
        XCTAssertEqual(x, try ReceivedContentMIC(parsing: "AAAA,sha3256"))
    }

    func testInvalidValues() {
        for bad in ["", "AAAA", "AAAA,", ", sha1", "AA*A, sha1", "AAA, sha1"] {
            XCTAssertThrowsError(try ReceivedContentMIC(parsing: bad), bad) {
                XCTAssertEqual(($0 as? AS2FieldError)?.code, .invalidReceivedContentMIC)
            }
        }
    }
}

final class MicalgTests: XCTestCase {
    func testNameTableOfSection3_6() {
        // Acceptance case 13: every spelling of SHA-1.
        for n in ["SHA1", "sha1", "rsa-sha1", "sha-1", "SHA-1", "sha_1", "\"sha1\""] { XCTAssertEqual(DigestAlgorithm(micalg: n), .sha1, n) }
        for n in ["md5", "rsa-md5", "MD5"] { XCTAssertEqual(DigestAlgorithm(micalg: n), .md5, n) }
        for n in ["sha-224", "sha224", "sha2_224", "sha_224"] { XCTAssertEqual(DigestAlgorithm(micalg: n), .sha224, n) }
        for n in ["sha-256", "sha256", "sha2_256", "sha_256", "SHA256", " sha-256 "] { XCTAssertEqual(DigestAlgorithm(micalg: n), .sha256, n) }
        for n in ["sha-384", "sha384", "sha2_384", "sha_384"] { XCTAssertEqual(DigestAlgorithm(micalg: n), .sha384, n) }
        for n in ["sha-512", "sha512", "sha2_512", "sha_512"] { XCTAssertEqual(DigestAlgorithm(micalg: n), .sha512, n) }
        for n in ["", "foo", "sha3-256", "md2", "sha", "sha2"] { XCTAssertNil(DigestAlgorithm(micalg: n), n) }
    }

    func testSpellingsWeSend() {
        XCTAssertEqual(DigestAlgorithm.allCases.map(\.micalgName), ["md5", "sha-1", "sha-224", "sha-256", "sha-384", "sha-512"])
        XCTAssertEqual(DigestAlgorithm.allCases.map(\.legacyMicalgName), ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"])
        for d in DigestAlgorithm.allCases {
            XCTAssertEqual(DigestAlgorithm(micalg: d.micalgName), d)
            XCTAssertEqual(DigestAlgorithm(micalg: d.legacyMicalgName), d)
        }
    }
}

final class EDIINTFeaturesTests: XCTestCase {
    func testParsingAndEmitting() {
        let f = EDIINTFeatures(parsing: "CEM, multiple-attachments,AS2-Reliability ,, bad token!, CMS")
        XCTAssertEqual(f.tokens, ["CEM", "multiple-attachments", "AS2-Reliability", "CMS"])
        XCTAssertTrue(f.contains("cem"))
        XCTAssertTrue(f.contains(EDIINTFeatures.multipleAttachments))
        XCTAssertFalse(f.contains(EDIINTFeatures.restart))
        XCTAssertEqual(EDIINTFeatures(tokens: ["multiple-attachments", "CEM"]).headerValue, "multiple-attachments, CEM")
        XCTAssertEqual(EDIINTFeatures(parsing: "a,B"), EDIINTFeatures(parsing: "b, A"))
        XCTAssertTrue(EDIINTFeatures(parsing: "").tokens.isEmpty)
    }
}
