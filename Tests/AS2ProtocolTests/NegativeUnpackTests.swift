import AS2Bytes
import AS2Crypto
import AS2MIME
@testable import AS2Protocol
import Foundation
import XCTest

/// Requirements §7 negative cases at the protocol layer: each gets its exact disposition and
/// nothing is delivered.
final class NegativeUnpackTests: XCTestCase {
    let x = Exchange()

    func headers(_ m: PreparedMessage) -> [(String, String)] { m.headers.map { ($0.name, $0.value) } }

    func expect(_ result: UnpackResult, _ error: DispositionError, file: StaticString = #filePath, line: UInt = #line) {
        guard let r = rejection(result, file: file, line: line) else { return }
        XCTAssertEqual(r.disposition, error.disposition, "\(r.reason)", file: file, line: line)
    }

    /// A signed (not encrypted) message whose bytes the test may edit.
    func signedMessage(_ payload: [UInt8] = lfText) throws -> (PreparedMessage, [UInt8]) {
        let m = try x.build(payload, x.options(sign: .sha256, encrypt: nil))
        return (m, try m.body.readAll())
    }

    let lenient = InboundPolicy(requireSignature: false, requireEncryption: false)

    func testFlippedPayloadByteIsAnIntegrityFailure() throws {
        // Case 33.
        var (m, body) = try signedMessage(Array("PAYLOAD-BYTES-HERE-0123456789".utf8))
        let text = String(decoding: body, as: UTF8.self)
        let i = text.utf8.distance(from: text.startIndex, to: text.range(of: "PAYLOAD-BYTES")!.lowerBound)
        body[i] = UInt8(ascii: "Q")
        let (_, result) = try x.unpack(headers: headers(m), body: MemoryByteSource(body), policy: lenient)
        expect(result, .integrityCheckFailed)
    }

    func testTruncatedOrInvalidSignatureIsAnAuthenticationFailure() throws {
        // Cases 34 and 53.
        let (m, body) = try signedMessage()
        let text = String(decoding: body, as: UTF8.self)
        let sigStart = text.range(of: "filename=smime.p7s\r\n\r\n")!.upperBound
        var truncated = text
        let cut = truncated.index(sigStart, offsetBy: 200)
        truncated.removeSubrange(cut..<truncated.range(of: "\r\n--", range: cut..<truncated.endIndex)!.lowerBound)
        let (_, r1) = try x.unpack(headers: headers(m), body: MemoryByteSource(truncated), policy: lenient)
        expect(r1, .authenticationFailed)
        var star = text
        star.replaceSubrange(sigStart..<star.index(sigStart, offsetBy: 4), with: "****")
        let (_, r2) = try x.unpack(headers: headers(m), body: MemoryByteSource(star), policy: lenient)
        expect(r2, .authenticationFailed)
    }

    func testSignatureByAnotherCertificateIsRefused() throws {
        // Case 35: valid signature, embedded certificate, but not the partner's.
        let m = try x.build(lfText, x.options(sign: .sha256, encrypt: nil), signer: x.parties.mallory)
        let (_, result) = try x.unpack(headers: headers(m), body: m.body, policy: lenient)
        expect(result, .authenticationFailed)
    }

    func testEncryptedToAnotherKeyIsADecryptionFailure() throws {
        // Case 36.
        let m = try x.build(lfText, x.options(), recipient: x.parties.mallory.certificate)
        let (_, result) = try x.unpack(headers: headers(m), body: m.body)
        expect(result, .decryptionFailed)
    }

    func testCiphertextTamperingIsADecryptionFailure() throws {
        // Cases 37 and 38.
        for algorithm in [ContentEncryptionAlgorithm.aes256CBC, .aes128GCM] {
            let m = try x.build(randomBytes(2048), x.options(encrypt: algorithm))
            var body = try m.body.readAll()
            body[body.count - (algorithm.isAuthenticated ? 5 : 20)] ^= 0x01
            let (_, result) = try x.unpack(headers: headers(m), body: MemoryByteSource(body))
            expect(result, .decryptionFailed)
        }
    }

    func testPolicyViolationsAreInsufficientSecurity() throws {
        // Cases 42, 43 and 8 (legacy disabled by default).
        let unsigned = try x.build(lfText, x.options(sign: nil))
        expect(try x.unpack(headers: headers(unsigned), body: unsigned.body).1, .insufficientMessageSecurity)
        let unencrypted = try x.build(lfText, x.options(encrypt: nil))
        expect(try x.unpack(headers: headers(unencrypted), body: unencrypted.body).1, .insufficientMessageSecurity)
        let legacy = try x.build(lfText, x.options(sign: .sha1, encrypt: .tripleDES))
        expect(try x.unpack(headers: headers(legacy), body: legacy.body).1, .insufficientMessageSecurity)
        let allowed = InboundPolicy(minimumSignatureDigest: .sha1, minimumEncryption: .tripleDES)
        let m = try accepted(try x.unpack(headers: headers(legacy), body: legacy.body, policy: allowed).1)
        XCTAssertEqual(m.mic.algorithm, .sha256, "MIC follows the requested sha-256 receipt algorithm")
    }

    func testExpiredPartnerCertificateIsRefusedUnlessGraced() throws {
        // Case 45: check at a time after the partner certificate expired.
        let m = try x.build(lfText, x.options(sign: .sha256, encrypt: nil))
        let later = Date().addingTimeInterval(60 * 86400)
        expect(try x.unpack(headers: headers(m), body: m.body, policy: lenient, now: later).1, .authenticationFailed)
        var grace = lenient
        grace.allowExpiredCertificate = true
        _ = try accepted(try x.unpack(headers: headers(m), body: m.body, policy: grace, now: later).1)
    }

    func testUnsupportedSignatureProtocolAndMissingCloseDelimiter() throws {
        // Cases 50 and 52.
        let (m, body) = try signedMessage()
        let pgp = headers(m).map { $0.0 == "Content-Type" ? ($0.0, $0.1.replacingOccurrences(of: "application/pkcs7-signature", with: "application/pgp-signature")) : $0 }
        expect(try x.unpack(headers: pgp, body: MemoryByteSource(body), policy: lenient).1, .unexpectedProcessingError)
        let text = String(decoding: body, as: UTF8.self)
        let unterminated = String(text[..<text.range(of: "--\r\n", options: .backwards)!.lowerBound])
        let truncated = String(unterminated.dropLast(30))
        let r = try x.unpack(headers: headers(m), body: MemoryByteSource(truncated), policy: lenient).1
        XCTAssertNotNil(rejection(r))
    }

    func testUnknownMicalgStillVerifiesThroughTheSignerInfo() throws {
        // Case 49 and case 13 (spellings of SHA-1).
        for micalg in ["foo", "SHA1", "sha1", "rsa-sha1", "sha-1"] {
            let m = try x.build(lfText, x.options(sign: .sha1, encrypt: nil, mdn: MDNRequest(signingDigest: nil)))
            let h = headers(m).map { $0.0 == "Content-Type" ? ($0.0, $0.1.replacingOccurrences(of: "micalg=sha-1", with: "micalg=\(micalg)")) : $0 }
            XCTAssertTrue(h.contains { $0.1.contains("micalg=\(micalg)") })
            let policy = InboundPolicy(requireEncryption: false, minimumSignatureDigest: .sha1)
            let accepted = try accepted(try x.unpack(headers: h, body: m.body, policy: policy).1)
            XCTAssertEqual(accepted.mic.algorithm, .sha1)
            XCTAssertEqual(accepted.notes.contains { $0.contains("unknown micalg") }, micalg == "foo")
        }
    }

    func testCompressionBombCorruptAndNestedCompression() throws {
        // Cases 60, 61, 62.
        let zeros = [UInt8](repeating: 0, count: 20 << 20)
        let bomb = try x.build(zeros, x.options(sign: nil, encrypt: nil, compress: .beforeSigning))
        var small = InboundPolicy(requireSignature: false, requireEncryption: false)
        small.maxDecompressedBytes = 1 << 20
        expect(try x.unpack(headers: headers(bomb), body: bomb.body, policy: small).1, .decompressionFailed)

        let ok = try x.build(randomBytes(4096), x.options(sign: nil, encrypt: nil, compress: .beforeSigning))
        var corrupt = try ok.body.readAll()
        corrupt[corrupt.count - 3] ^= 0xFF  // inside the Adler-32
        expect(try x.unpack(headers: headers(ok), body: MemoryByteSource(corrupt), policy: small).1, .decompressionFailed)

        // Compressed data whose content is again a compressed-data entity.
        let inner = try ok.body.readAll()
        let innerEntity = "Content-Type: application/pkcs7-mime; smime-type=compressed-data\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        let sink = MemorySink()
        try CMS.compress(content: ConcatenatedByteSource([MemoryByteSource(innerEntity), MemoryByteSource(inner)]), to: sink)
        expect(try x.unpack(headers: headers(ok), body: MemoryByteSource(sink.bytes), policy: small).1, .decompressionFailed)
    }

    func testDeepNestingIsRefusedAtTheDepthLimit() throws {
        // Case 63: multipart/signed is the only layer type that can be repeated without keys, so
        // nest application/pkcs7-mime compressed entities 20 deep (the nested-compression rule or
        // the depth limit must stop it).
        var entity: [UInt8] = Array("Content-Type: text/plain\r\n\r\nhello".utf8)
        for _ in 0..<20 {
            let sink = MemorySink()
            try CMS.compress(content: MemoryByteSource(entity), to: sink)
            entity = Array("Content-Type: application/pkcs7-mime; smime-type=compressed-data\r\n\r\n".utf8) + sink.bytes
        }
        let m = try x.build([], x.options(sign: nil, encrypt: nil, compress: .beforeSigning))
        let parsed = try MIMEEntity.parse(MemoryByteSource(entity))
        let r = try x.unpack(headers: headers(m), body: parsed.body, policy: InboundPolicy(requireSignature: false, requireEncryption: false)).1
        XCTAssertNotNil(rejection(r))
    }

    func testGarbageAndTruncatedBodies() throws {
        let m = try x.build(randomBytes(2048), x.options())
        expect(try x.unpack(headers: headers(m), body: MemoryByteSource(randomBytes(500))).1, .decryptionFailed)
        let body = try m.body.readAll()
        expect(try x.unpack(headers: headers(m), body: MemoryByteSource(Array(body.prefix(body.count / 2)))).1, .decryptionFailed)
        expect(try x.unpack(headers: headers(m), body: MemoryByteSource([])).1, .decryptionFailed)
    }

    func testHTTPLevelBase64BodyIsDecodedAndInvalidBase64Refused() throws {
        // Cases 23 and 54.
        let m = try x.build(randomBytes(2048), x.options())
        let b64 = TransferEncoding.encodeBase64(try m.body.readAll(), lineLength: 76)
        let h = headers(m) + [("Content-Transfer-Encoding", "base64")]
        _ = try accepted(try x.unpack(headers: h.filter { $0.0 != "Content-Transfer-Encoding" || $0.1 == "base64" }, body: MemoryByteSource(b64)).1)
        expect(try x.unpack(headers: h.filter { $0.0 != "Content-Transfer-Encoding" || $0.1 == "base64" }, body: MemoryByteSource("****" + b64)).1, .unexpectedProcessingError)
    }

    func testPathTraversalFilenamesAreSanitized() throws {
        // Cases 55 and 56.
        for (raw, expected) in [("../../etc/passwd", "passwd"), ("C:\\temp\\x.edi", "x.edi")] {
            let m = try x.build(lfText, x.options(filename: raw))
            let accepted = try accepted(try x.unpack(headers: headers(m), body: m.body).1)
            XCTAssertEqual(accepted.originalFilename, raw)
            XCTAssertEqual(accepted.filename, expected)
        }
    }

    /// Case 37's rare branch, made deterministic: an altered CBC ciphertext whose padding still
    /// checks out (about 1 alteration in 256) decrypts to a multipart/signed that does not parse.
    /// That is decryption-failed too, not unexpected-processing-error; outside encryption the
    /// same entity stays unexpected-processing-error.
    func testAMultipartSignedThatDoesNotParseRightAfterDecryptionIsADecryptionFailure() throws {
        let broken = Array(
            ("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: application/edi-x12\r\n\r\nISA*00*~\r\n--b1\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--b\u{7}\u{2}garbled").utf8)
        let sink = MemorySink()
        try CMS.encrypt(content: MemoryByteSource(broken), recipients: [x.parties.acme.certificate], algorithm: .aes256CBC, to: sink)
        let encryptedHeaders: [(String, String)] = [
            ("AS2-From", "GLOBEX"), ("AS2-To", "ACME"), ("Message-ID", "<garbled@test>"),
            ("Content-Type", "application/pkcs7-mime; smime-type=enveloped-data"),
        ]
        let (_, encrypted) = try x.unpack(headers: encryptedHeaders, body: MemoryByteSource(sink.bytes))
        expect(encrypted, .decryptionFailed)

        let body = broken[(broken.firstIndex(of: UInt8(ascii: "-")) ?? 0)...]
        let plainHeaders: [(String, String)] = [
            ("AS2-From", "GLOBEX"), ("AS2-To", "ACME"), ("Message-ID", "<garbled-plain@test>"),
            ("Content-Type", "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b1\""),
        ]
        let (_, plain) = try x.unpack(headers: plainHeaders, body: MemoryByteSource(Array(body)))
        expect(plain, .unexpectedProcessingError)
    }

    /// The agent links a large message's evidence instead of copying it: that needs the signed
    /// entity of an encrypted message to be the whole spooled decrypted content.
    func testTheSignedEntityOfALargeEncryptedMessageIsTheWholeSpooledDecryptedContent() throws {
        let m = try x.build(randomBytes(5_000_000), x.options(sign: .sha256, encrypt: .aes256CBC))  // over the 4 MiB kept in memory
        let (_, result) = try x.unpack(headers: headers(m), body: m.body)
        let accepted = try accepted(result)
        let entity = try XCTUnwrap(accepted.signedEntity)
        let spooled = try XCTUnwrap(FileByteSource.spooledFile(entity), "the signed entity is not a whole spooled file: \(type(of: entity)) \((entity as? ByteSlice).map { "\(type(of: $0.base)) \($0.range) of \($0.base.count)" } ?? "")")
        XCTAssertEqual(try FileByteSource(path: spooled).count, entity.count)
    }

    func testHeaderlessDecryptedContentIsAcceptedAsDefaultType() throws {
        // R-STR-4: a sender that encrypts the bare payload.
        let sink = MemorySink()
        let payload = Array("ISA*00*bare payload~".utf8)
        try CMS.encrypt(content: MemoryByteSource(payload), recipients: [x.parties.acme.certificate], algorithm: .aes128CBC, to: sink)
        let h: [(String, String)] = [
            ("AS2-From", "GLOBEX"), ("AS2-To", "ACME"), ("Message-ID", "<bare@test>"),
            ("Content-Type", "application/pkcs7-mime; smime-type=enveloped-data"),
        ]
        let m = try accepted(try x.unpack(headers: h, body: MemoryByteSource(sink.bytes), policy: InboundPolicy(requireSignature: false)).1)
        XCTAssertEqual(try m.payload.readAll(), payload)
        XCTAssertEqual(m.mic.digest, try Digest.compute(.sha1, over: MemoryByteSource(payload)))
    }

    func testRequestHeaderProblemsAreHTTP400() throws {
        // Cases 64, 65, 66 and R-HTTP-12.
        let base: [(String, String)] = [("AS2-From", "GLOBEX"), ("AS2-To", "ACME"), ("Message-ID", "<a@b>"), ("Content-Type", "application/edi-x12")]
        XCTAssertNoThrow(try InboundRequest(headers: base))
        for bad in [
            base.filter { $0.0 != "Message-ID" },
            base.filter { $0.0 != "AS2-From" },
            base.map { $0.0 == "AS2-From" ? ($0.0, String(repeating: "A", count: 129)) : $0 },
            base.map { $0.0 == "AS2-From" ? ($0.0, "GLÖBEX") : $0 },
            base + [("AS2-To", "OTHER")],
        ] {
            XCTAssertThrowsError(try InboundRequest(headers: bad)) { XCTAssertEqual(($0 as? InboundRequestError)?.httpStatus, 400) }
        }
        // Case 19 and 20: ids without brackets, quoted AS2 names.
        let r = try InboundRequest(headers: [("AS2-From", #""\"  as2Name  \"""#), ("AS2-To", "ACME"), ("Message-ID", "no-brackets@x"), ("Content-Type", "text/plain")])
        XCTAssertEqual(r.as2From.value, "\"  as2Name  \"")
        XCTAssertEqual(r.messageIDKey, "no-brackets@x")
    }
}
