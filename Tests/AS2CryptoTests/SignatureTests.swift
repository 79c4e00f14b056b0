import AS2Bytes
import AS2Crypto
import Foundation
import XCTest

final class SignatureTests: XCTestCase {
    var dir: TempDirectory!
    let content = MemoryByteSource(Array("Content-Type: application/edi-x12\r\n\r\nISA*00*~\nbare LF stays\r\n".utf8) + randomBytes(3000))

    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() { dir = nil }

    private func assertValid(_ result: SignatureVerification, signer: Certificate, digest: DigestAlgorithm, scheme: SignatureScheme, file: StaticString = #filePath, line: UInt = #line) {
        guard case let .valid(s, d, sc) = result else {
            return XCTFail("expected valid, got \(result)", file: file, line: line)
        }
        XCTAssertEqual(s, signer, file: file, line: line)
        XCTAssertEqual(d, digest, file: file, line: line)
        XCTAssertEqual(sc, scheme, file: file, line: line)
    }

    func testRoundTripForEverySendableDigestAndScheme() throws {
        for digest in DigestAlgorithm.allCases where digest.isSendable {
            for scheme in SignatureScheme.allCases {
                let signature = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: digest, scheme: scheme)
                XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(signature)), .signedData)
                let result = CMS.verifyDetached(signature: signature, content: content, trusted: [Fixtures.bob.certificate, Fixtures.alice.certificate])
                assertValid(result, signer: Fixtures.alice.certificate, digest: digest, scheme: scheme)
            }
        }
    }

    func testMD5SignatureFromOpenSSLStillVerifies() throws {
        let (cert, key, data) = try writeSigner(Fixtures.alice)
        let sig = dir.file("md5.der")
        try openssl(["cms", "-sign", "-binary", "-md", "md5", "-in", data, "-signer", cert, "-inkey", key, "-outform", "DER", "-out", sig])
        let result = CMS.verifyDetached(signature: try dir.read("md5.der"), content: content, trusted: [Fixtures.alice.certificate])
        assertValid(result, signer: Fixtures.alice.certificate, digest: .md5, scheme: .rsaPKCS1v15)
    }

    func testChangedContentIsAContentDigestMismatch() throws {
        let signature = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256)
        var changed = content.bytes
        changed[100] ^= 0x01
        let result = CMS.verifyDetached(signature: signature, content: MemoryByteSource(changed), trusted: [Fixtures.alice.certificate])
        guard case let .contentDigestMismatch(signer, digest) = result else { return XCTFail("got \(result)") }
        XCTAssertEqual(signer, Fixtures.alice.certificate)
        XCTAssertEqual(digest, .sha256)
        // One byte more or less is a change too.
        let longer = CMS.verifyDetached(signature: signature, content: MemoryByteSource(content.bytes + [0x0a]), trusted: [Fixtures.alice.certificate])
        guard case .contentDigestMismatch = longer else { return XCTFail("got \(longer)") }
    }

    func testChangedSignatureValueIsSignatureInvalid() throws {
        var signature = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256, includeCertificates: false)
        // The RSA signature value is the last 256 bytes of a certificate-less SignedData.
        signature[signature.count - 10] ^= 0x40
        let result = CMS.verifyDetached(signature: signature, content: content, trusted: [Fixtures.alice.certificate])
        guard case .signatureInvalid = result else { return XCTFail("got \(result)") }
    }

    func testTruncatedOrGarbageSignatureIsMalformed() throws {
        let signature = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256)
        for bad in [Array(signature.prefix(signature.count / 2)), [UInt8](), Array("not a signature".utf8)] {
            let result = CMS.verifyDetached(signature: bad, content: content, trusted: [Fixtures.alice.certificate])
            guard case .malformed = result else { return XCTFail("got \(result)") }
        }
        // Another CMS type is not a signature.
        let sink = MemorySink()
        try CMS.compress(content: content, to: sink)
        guard case .malformed = CMS.verifyDetached(signature: sink.bytes, content: content, trusted: [Fixtures.alice.certificate]) else {
            return XCTFail("compressed data accepted as a signature")
        }
    }

    func testSignerOutsideTrustedCertificatesIsUnknownEvenWithEmbeddedCertificate() throws {
        let signature = try CMS.signDetached(content: content, signer: Fixtures.carol, digest: .sha256, includeCertificates: true)
        let result = CMS.verifyDetached(signature: signature, content: content, trusted: [Fixtures.alice.certificate, Fixtures.bob.certificate])
        guard case let .unknownSigner(text) = result else { return XCTFail("got \(result)") }
        XCTAssertTrue(text.contains("carol.as2.test"), text)
        // A certificate with the same name but another key does not pass for the signer either.
        let impostor = Fixtures.makeIdentity("carol")
        let again = CMS.verifyDetached(signature: signature, content: content, trusted: [impostor.certificate])
        switch again {
        case .unknownSigner, .signatureInvalid: break
        default: XCTFail("impostor certificate accepted: \(again)")
        }
    }

    func testEmbeddedCertificatesAreNeverWhatVerifies() throws {
        // Signed by Alice, carrying only Carol's certificate: verifies against Alice's configured one.
        let (aliceCert, aliceKey, data) = try writeSigner(Fixtures.alice)
        let carolPEM = try dir.write("carol.pem", Fixtures.carol.certificate.pem)
        let sig = dir.file("foreign.der")
        for keyid in [false, true] {
            try openssl(["cms", "-sign", "-binary", "-in", data, "-signer", aliceCert, "-inkey", aliceKey, "-nocerts", "-certfile", carolPEM, "-outform", "DER", "-out", sig] + (keyid ? ["-keyid"] : []))
            let foreign = try dir.read("foreign.der")
            let printed = try openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", sig]).text
            let certificates = printed.components(separatedBy: "signerInfos:")[0]
            XCTAssertTrue(certificates.contains("carol.as2.test") && !certificates.contains("alice.as2.test"), printed)
            assertValid(CMS.verifyDetached(signature: foreign, content: content, trusted: [Fixtures.alice.certificate]),
                        signer: Fixtures.alice.certificate, digest: .sha256, scheme: .rsaPKCS1v15)
            // Carol's embedded certificate, configured, does not make Carol the signer.
            guard case .unknownSigner = CMS.verifyDetached(signature: foreign, content: content, trusted: [Fixtures.carol.certificate]) else {
                return XCTFail("the embedded certificate was used")
            }
        }
        // The reverse: Alice's own certificate embedded, but another one configured → refused.
        let own = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256, includeCertificates: true)
        guard case let .unknownSigner(text) = CMS.verifyDetached(signature: own, content: content, trusted: [Fixtures.bob.certificate]) else {
            return XCTFail("signature accepted without Alice's configured certificate")
        }
        // The message still names the embedded certificate (read only on this path).
        XCTAssertTrue(text.contains("embedded certificate") && text.contains("alice.as2.test"), text)
        let impostor = Fixtures.makeIdentity("alice")
        switch CMS.verifyDetached(signature: own, content: content, trusted: [impostor.certificate]) {
        case .unknownSigner, .signatureInvalid: break
        case let other: XCTFail("accepted with a same-name certificate of another key: \(other)")
        }
    }

    func testSigningAndVerifyingReturnTheContentDigest() throws {
        for digest in DigestAlgorithm.allCases where digest.isSendable {
            let (signature, signed) = try CMS.signDetachedReturningDigest(content: content, signer: Fixtures.alice, digest: digest)
            XCTAssertEqual(signed, try Digest.compute(digest, over: content), digest.rawValue)
            let (result, verified) = CMS.verifyDetachedReturningDigest(signature: signature, content: content, trusted: [Fixtures.alice.certificate])
            XCTAssertTrue(result.isValid)
            XCTAssertEqual(verified, signed, digest.rawValue)
        }
        // No digest for a failed check.
        let signature = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256)
        let changed = CMS.verifyDetachedReturningDigest(signature: signature, content: MemoryByteSource(content.bytes + [0]), trusted: [Fixtures.alice.certificate])
        guard case .contentDigestMismatch = changed.result else { return XCTFail("got \(changed.result)") }
        XCTAssertNil(changed.contentDigest)
    }

    func testExpiredSignerIsRejectedUnlessAllowed() throws {
        assertThrowsCrypto(.certificateExpired) { try CMS.signDetached(content: content, signer: Fixtures.expired, digest: .sha256) }
        let signature = try CMS.signDetached(content: content, signer: Fixtures.expired, digest: .sha256, allowExpiredCertificate: true)
        let result = CMS.verifyDetached(signature: signature, content: content, trusted: [Fixtures.expired.certificate])
        guard case let .signerCertificateExpired(cert) = result else { return XCTFail("got \(result)") }
        XCTAssertEqual(cert, Fixtures.expired.certificate)
        assertValid(
            CMS.verifyDetached(signature: signature, content: content, trusted: [Fixtures.expired.certificate], allowExpired: true),
            signer: Fixtures.expired.certificate, digest: .sha256, scheme: .rsaPKCS1v15)
        // Checked at the time given: when the certificate was valid, it verifies.
        assertValid(
            CMS.verifyDetached(signature: signature, content: content, trusted: [Fixtures.expired.certificate], at: Date().addingTimeInterval(-9 * 86_400)),
            signer: Fixtures.expired.certificate, digest: .sha256, scheme: .rsaPKCS1v15)
    }

    func testSignatureHasTheAgreedAttributesAndNoAlgorithmProtection() throws {
        let signature = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha384)
        let path = try dir.write("sig.der", signature)
        let dump = try openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", path]).text
        XCTAssertTrue(dump.contains("contentType"), dump)
        XCTAssertTrue(dump.contains("messageDigest"), dump)
        XCTAssertTrue(dump.contains("signingTime"), dump)
        XCTAssertFalse(dump.contains("1.2.840.113549.1.9.52"), "RFC 6211 attribute present")
        XCTAssertFalse(dump.contains("cmsAlgorithmProtection"), "RFC 6211 attribute present")
        XCTAssertTrue(dump.contains("eContent: <ABSENT>"), "signature is not detached")
        // SMIMECapabilities as OpenSSL 3.0's standard list writes it (RFC 8551 §2.5.2), in its order.
        let capabilities = dump.components(separatedBy: "S/MIME Capabilities").dropFirst().first?
            .split(separator: "\n").prefix(30)
            .filter { $0.contains("OBJECT") || $0.contains("INTEGER") }
            .map { $0.split(separator: ":").last.map(String.init) ?? "" } ?? []
        XCTAssertEqual(capabilities, ["aes-256-cbc", "aes-192-cbc", "aes-128-cbc", "des-ede3-cbc", "rc2-cbc", "80", "rc2-cbc", "40", "des-cbc", "rc2-cbc", "28"], dump)
        // Digest algorithm parameters are absent for SHA-2 (RFC 5754).
        let asn1 = try openssl(["asn1parse", "-inform", "DER", "-in", path]).text
        XCTAssertTrue(asn1.contains("sha384"), asn1)
        let lines = asn1.split(separator: "\n")
        if let i = lines.firstIndex(where: { $0.contains(":sha384") }), i + 1 < lines.count {
            XCTAssertFalse(lines[i + 1].contains("NULL"), "SHA-384 parameters should be absent")
        }
    }

    func testSignatureWithoutCertificatesAndWithChain() throws {
        let bare = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256, includeCertificates: false)
        let path = try dir.write("bare.der", bare)
        let certs = try openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", path]).text
        XCTAssertFalse(certs.contains("cert_info"), "a certificate was embedded: \(certs)")
        assertValid(CMS.verifyDetached(signature: bare, content: content, trusted: [Fixtures.alice.certificate]),
                    signer: Fixtures.alice.certificate, digest: .sha256, scheme: .rsaPKCS1v15)

        let caKey = try KeyGenerator.generateRSA(bits: 2048)
        let ca = try Identity(certificate: KeyGenerator.selfSignedCertificate(key: caKey, commonName: "CA", organization: nil, validityDays: 5, isCertificateAuthority: true), privateKey: caKey)
        let leafKey = try KeyGenerator.generateRSA(bits: 2048)
        let leaf = try Identity(certificate: KeyGenerator.issueCertificate(key: leafKey, commonName: "leaf", issuer: ca, validityDays: 5), privateKey: leafKey, chain: [ca.certificate])
        let chained = try CMS.signDetached(content: content, signer: leaf, digest: .sha256)
        let chainedPath = try dir.write("chained.der", chained)
        let printed = try openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", chainedPath]).text
        XCTAssertTrue(printed.contains("CN=CA") || printed.contains("CN = CA"), printed)
        assertValid(CMS.verifyDetached(signature: chained, content: content, trusted: [leaf.certificate]),
                    signer: leaf.certificate, digest: .sha256, scheme: .rsaPKCS1v15)
    }

    // MARK: Cross-checks with the openssl CLI

    private func writeSigner(_ identity: Identity) throws -> (cert: String, key: String, data: String) {
        let cert = try dir.write("signer.pem", identity.certificate.pem)
        let key = try dir.write("signer.key", identity.privateKey.pem())
        let data = try dir.write("content.bin", content.bytes)
        return (cert, key, data)
    }

    func testOurSignatureVerifiesWithOpenSSL() throws {
        let (cert, _, data) = try writeSigner(Fixtures.alice)
        for (digest, scheme) in [(DigestAlgorithm.sha256, SignatureScheme.rsaPKCS1v15), (.sha1, .rsaPKCS1v15), (.sha512, .rsaPSS), (.sha256, .rsaPSS)] {
            let sig = try dir.write("ours.der", try CMS.signDetached(content: content, signer: Fixtures.alice, digest: digest, scheme: scheme))
            try openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", data, "-CAfile", cert, "-purpose", "any", "-out", "/dev/null"])
            try openssl(["cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", data, "-noverify", "-certfile", cert, "-nointern", "-out", "/dev/null"])
        }
        let pss = try dir.write("pss.der", try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256, scheme: .rsaPSS))
        let printed = try openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", pss]).text
        XCTAssertTrue(printed.contains("rsassaPss"), printed)
        // RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, salt length 32 ([2] INTEGER 0x20).
        let lines = printed.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasSuffix("OBJECT            :mgf1") }, printed)
        if let i = lines.firstIndex(where: { $0.contains("cont [ 2 ]") }), i + 1 < lines.count {
            XCTAssertTrue(lines[i + 1].hasSuffix("INTEGER           :20"), lines[i + 1])
        } else {
            XCTFail("no salt length in \(printed)")
        }
    }

    func testOpenSSLSignatureVerifiesWithUs() throws {
        let (cert, key, data) = try writeSigner(Fixtures.bob)
        let cases: [([String], DigestAlgorithm, SignatureScheme)] = [
            (["-md", "sha256"], .sha256, .rsaPKCS1v15),
            (["-md", "sha1"], .sha1, .rsaPKCS1v15),
            (["-md", "sha224"], .sha224, .rsaPKCS1v15),
            (["-md", "sha512", "-keyopt", "rsa_padding_mode:pss"], .sha512, .rsaPSS),
            (["-md", "sha256", "-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:-2"], .sha256, .rsaPSS),
            (["-md", "sha384", "-noattr"], .sha384, .rsaPKCS1v15),
            // Signer named by subjectKeyIdentifier; BER with indefinite lengths; several certificates.
            (["-md", "sha256", "-keyid"], .sha256, .rsaPKCS1v15),
            (["-md", "sha256", "-stream"], .sha256, .rsaPKCS1v15),
            (["-md", "sha256", "-stream", "-keyid", "-noattr"], .sha256, .rsaPKCS1v15),
            (["-md", "sha256", "-certfile", try dir.write("others.pem", Fixtures.alice.certificate.pem + Fixtures.carol.certificate.pem)], .sha256, .rsaPKCS1v15),
        ]
        for (options, digest, scheme) in cases {
            let sig = dir.file("theirs.der")
            try openssl(["cms", "-sign", "-binary", "-in", data, "-signer", cert, "-inkey", key, "-outform", "DER", "-out", sig] + options)
            let signature = try dir.read("theirs.der")
            if options.contains("-stream") {
                XCTAssertEqual(Array(signature.prefix(2)), [0x30, 0x80], "expected indefinite-length BER")
            }
            let verified = CMS.verifyDetachedReturningDigest(signature: signature, content: content, trusted: [Fixtures.bob.certificate])
            assertValid(verified.result, signer: Fixtures.bob.certificate, digest: digest, scheme: scheme)
            // The digest the check computed is the content's (only known with signed attributes).
            XCTAssertEqual(verified.contentDigest, options.contains("-noattr") ? nil : try Digest.compute(digest, over: content), "\(options)")
            var changed = content.bytes
            changed[0] ^= 0x20
            let result = CMS.verifyDetached(signature: signature, content: MemoryByteSource(changed), trusted: [Fixtures.bob.certificate])
            if options.contains("-noattr") {
                // Without signed attributes the signature covers the content digest directly.
                guard case .signatureInvalid = result else { return XCTFail("got \(result) for \(options)") }
            } else {
                guard case .contentDigestMismatch = result else { return XCTFail("got \(result) for \(options)") }
            }
        }
    }

    func testSignatureWithNullOrAbsentDigestParametersVerifies() throws {
        // Re-encode a signature with every SHA-256 AlgorithmIdentifier given explicit NULL parameters
        // (as some Java products send them). digestAlgorithm is outside the signed attributes, so the
        // signature stays valid; the reverse rewrite gives absent parameters.
        let signature = try CMS.signDetached(content: content, signer: Fixtures.bob, digest: .sha256)
        let absent: [UInt8] = [0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
        let withNull: [UInt8] = [0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00]
        func rewrite(_ tlv: TLV, _ from: [UInt8], _ to: [UInt8]) -> [UInt8] {
            if tlv.encoded == from { return to }
            guard tlv.tag & 0x20 != 0 else { return tlv.encoded }
            return TLV.encode(tlv.tag, tlv.children.flatMap { rewrite($0, from, to) })
        }
        let nulled = rewrite(try TLV.parse(signature), absent, withNull)
        let unnulled = rewrite(try TLV.parse(nulled), withNull, absent)
        XCTAssertNotEqual(nulled, signature, "no SHA-256 AlgorithmIdentifier was rewritten")
        XCTAssertEqual(unnulled, signature)
        for variant in [nulled, unnulled] {
            assertValid(CMS.verifyDetached(signature: variant, content: content, trusted: [Fixtures.bob.certificate]),
                        signer: Fixtures.bob.certificate, digest: .sha256, scheme: .rsaPKCS1v15)
        }
    }

    func testMD5IsNeverUsedToSign() throws {
        assertThrowsCrypto(.unsupportedAlgorithm) { try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .md5) }
    }

    func testContentTypePeekRecognisesEveryKind() throws {
        XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256))), .signedData)
        let env = MemorySink()
        try CMS.encrypt(content: content, recipients: [Fixtures.bob.certificate], algorithm: .aes128CBC, to: env)
        XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(env.bytes)), .envelopedData)
        let gcm = MemorySink()
        try CMS.encrypt(content: content, recipients: [Fixtures.bob.certificate], algorithm: .aes256GCM, to: gcm)
        XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(gcm.bytes)), .authEnvelopedData)
        let zipped = MemorySink()
        try CMS.compress(content: content, to: zipped)
        XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(zipped.bytes)), .compressedData)
        // id-data, with an indefinite length.
        let data: [UInt8] = [0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x80, 0x04, 0x01, 0x41, 0, 0, 0, 0]
        XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(data)), .data)
        let other: [UInt8] = [0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04]
        XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(other)), .other("1.2.3.4"))
        assertThrowsCrypto(.malformedInput) { try CMS.contentType(of: MemoryByteSource(Array("MIME-Version: 1.0".utf8))) }
        assertThrowsCrypto(.malformedInput) { try CMS.contentType(of: MemoryByteSource([0x30])) }
    }

    func testDigestsMatchOpenSSL() throws {
        let path = try dir.write("digest.bin", content.bytes)
        for algorithm in DigestAlgorithm.allCases {
            let ours = try Digest.compute(algorithm, over: content)
            XCTAssertEqual(ours.count, algorithm.byteCount)
            let theirs = try openssl(["dgst", "-\(algorithm.rawValue)", "-binary", path]).stdout
            XCTAssertEqual(ours, theirs, algorithm.rawValue)
            // Fed in odd pieces, then reused.
            let incremental = try IncrementalDigest(algorithm)
            var offset = 0
            var step = 1
            while offset < content.count {
                let end = min(content.count, offset + step)
                incremental.update(Array(content.bytes[offset..<end]))
                offset = end
                step = step * 3 + 1
            }
            XCTAssertEqual(incremental.finalize(), theirs)
            incremental.update([])
            XCTAssertEqual(incremental.finalize(), try Digest.compute(algorithm, over: [UInt8]()))
        }
    }
}
