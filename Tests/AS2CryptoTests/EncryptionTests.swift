import AS2Bytes
import AS2Crypto
import Foundation
import XCTest

final class EncryptionTests: XCTestCase {
    var dir: TempDirectory!
    let plaintext = Array("Content-Type: application/edi-x12\r\n\r\n".utf8) + randomBytes(5000, seed: 7)

    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() { dir = nil }

    private func encrypt(_ content: [UInt8], to recipients: [Certificate], _ algorithm: ContentEncryptionAlgorithm, _ transport: KeyTransportAlgorithm = .rsaPKCS1v15) throws -> [UInt8] {
        let sink = MemorySink()
        try CMS.encrypt(content: MemoryByteSource(content), recipients: recipients, algorithm: algorithm, keyTransport: transport, to: sink)
        return sink.bytes
    }

    private func decrypt(_ envelope: [UInt8], with identities: [Identity]) throws -> (DecryptionResult, [UInt8]) {
        let sink = MemorySink()
        let result = try CMS.decrypt(envelope: MemoryByteSource(envelope), recipients: identities, to: sink)
        return (result, sink.bytes)
    }

    func testRoundTripForEverySendableAlgorithmAndKeyTransport() throws {
        for algorithm in ContentEncryptionAlgorithm.allCases where algorithm.isSendable {
            for transport in KeyTransportAlgorithm.allCases {
                for content in [plaintext, [], [0x41]] {
                    if algorithm.isAuthenticated && content.isEmpty {
                        // OpenSSL 3.0 cannot make or open AES-GCM envelopes of empty content: refused cleanly.
                        assertThrowsCrypto(.malformedInput) { try encrypt(content, to: [Fixtures.bob.certificate], algorithm, transport) }
                        continue
                    }
                    let envelope = try encrypt(content, to: [Fixtures.bob.certificate], algorithm, transport)
                    XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(envelope)), algorithm.isAuthenticated ? .authEnvelopedData : .envelopedData)
                    let (result, output) = try decrypt(envelope, with: [Fixtures.alice, Fixtures.bob])
                    XCTAssertEqual(output, content, "\(algorithm) \(transport) \(content.count)")
                    XCTAssertEqual(result.algorithm, algorithm)
                    XCTAssertEqual(result.keyTransport, transport)
                    XCTAssertEqual(result.recipient, Fixtures.bob.certificate)
                    XCTAssertEqual(result.wasAuthEnveloped, algorithm.isAuthenticated)
                }
            }
        }
    }

    func testReceiveOnlyAlgorithmsAreNeverSent() throws {
        for algorithm in ContentEncryptionAlgorithm.allCases where !algorithm.isSendable {
            assertThrowsCrypto(.unsupportedAlgorithm) { try encrypt(plaintext, to: [Fixtures.bob.certificate], algorithm) }
        }
    }

    func testExpiredRecipientIsRefusedUnlessAllowed() throws {
        assertThrowsCrypto(.certificateExpired) { try encrypt(plaintext, to: [Fixtures.expired.certificate], .aes256CBC) }
        let sink = MemorySink()
        try CMS.encrypt(content: MemoryByteSource(plaintext), recipients: [Fixtures.expired.certificate], algorithm: .aes256CBC, to: sink, allowExpiredCertificates: true)
        XCTAssertEqual(try decrypt(sink.bytes, with: [Fixtures.expired]).1, plaintext)
    }

    func testEveryRecipientOfAMessageCanDecryptIt() throws {
        let envelope = try encrypt(plaintext, to: [Fixtures.alice.certificate, Fixtures.bob.certificate], .aes128CBC)
        XCTAssertEqual(try decrypt(envelope, with: [Fixtures.alice]).0.recipient, Fixtures.alice.certificate)
        XCTAssertEqual(try decrypt(envelope, with: [Fixtures.bob]).0.recipient, Fixtures.bob.certificate)
        XCTAssertEqual(try decrypt(envelope, with: [Fixtures.bob]).1, plaintext)
    }

    func testMessageForSomeoneElseHasNoMatchingRecipient() throws {
        let envelope = try encrypt(plaintext, to: [Fixtures.carol.certificate], .aes256CBC)
        do {
            _ = try decrypt(envelope, with: [Fixtures.alice, Fixtures.bob])
            XCTFail("decrypted a message for another recipient")
        } catch let error as CryptoError {
            XCTAssertEqual(error.code, .noMatchingRecipient)
            XCTAssertTrue(error.message.contains("carol.as2.test"), error.message)
        }
        // Same name, other key (a rollover certificate that is not the one used) does not match either.
        assertThrowsCrypto(.noMatchingRecipient) { try decrypt(try encrypt(plaintext, to: [Fixtures.bob.certificate], .aes256CBC), with: [Fixtures.bobNext]) }
    }

    func testCertificateRolloverDecryptsWithTheOldKey() throws {
        let oldMessage = try encrypt(plaintext, to: [Fixtures.bob.certificate], .aes256CBC)
        let newMessage = try encrypt(plaintext, to: [Fixtures.bobNext.certificate], .aes256GCM, .rsaOAEP)
        let identities = [Fixtures.bobNext, Fixtures.bob]
        let (oldResult, oldOutput) = try decrypt(oldMessage, with: identities)
        XCTAssertEqual(oldResult.recipient, Fixtures.bob.certificate)
        XCTAssertEqual(oldOutput, plaintext)
        let (newResult, newOutput) = try decrypt(newMessage, with: identities)
        XCTAssertEqual(newResult.recipient, Fixtures.bobNext.certificate)
        XCTAssertEqual(newOutput, plaintext)
    }

    func testBadCBCPaddingIsDecryptionFailed() throws {
        // DER from the CLI: the ciphertext is the last bytes of the file. Changing the last byte of the
        // second-to-last block to make the final padding byte 0 always breaks the padding.
        let data = try dir.write("plain.bin", plaintext)
        let cert = try dir.write("bob.pem", Fixtures.bob.certificate.pem)
        let env = dir.file("env.der")
        try openssl(["cms", "-encrypt", "-binary", "-outform", "DER", "-aes256", "-in", data, "-out", env, cert])
        var envelope = try dir.read("env.der")
        XCTAssertEqual(try decrypt(envelope, with: [Fixtures.bob]).1, plaintext)
        let pad = UInt8(16 - plaintext.count % 16)
        envelope[envelope.count - 17] ^= pad
        assertThrowsCrypto(.decryptionFailed) { try decrypt(envelope, with: [Fixtures.bob]) }
    }

    func testAnEncryptedKeyThatDoesNotUnwrapIsAlwaysDecryptionFailedNeverGarbage() throws {
        // OpenSSL's CMS_decrypt_set1_pkey_and_peer reports success for a key that does not unwrap and
        // then decrypts with a random key; CBC padding passes about once in 256 tries, so a thousand
        // altered encrypted keys would let garbage through several times if we relied on it.
        for transport in KeyTransportAlgorithm.allCases {
            let envelope = try encrypt(plaintext, to: [Fixtures.bob.certificate], .aes128CBC, transport)
            let marker: [UInt8] = [0x04, 0x82, 0x01, 0x00]  // encryptedKey: a 256-byte OCTET STRING (RSA-2048)
            guard let keyStart = (0...(envelope.count - marker.count)).first(where: { Array(envelope[$0..<($0 + marker.count)]) == marker })
            else { return XCTFail("no 2048-bit encryptedKey found in the envelope") }
            for attempt in 0..<(transport == .rsaPKCS1v15 ? 1000 : 300) {
                var altered = envelope
                altered[keyStart + 4 + attempt % 256] ^= UInt8(1 + attempt / 256)
                assertThrowsCrypto(.decryptionFailed) { try decrypt(altered, with: [Fixtures.bob]) }
            }
        }
    }

    func testChangedGCMTagOrCiphertextIsDecryptionFailed() throws {
        // Ours (BER): …ciphertext, EOC, EOC, mac OCTET STRING (16 bytes), then three EOCs.
        var ours = try encrypt(plaintext, to: [Fixtures.bob.certificate], .aes128GCM)
        XCTAssertEqual(Array(ours[(ours.count - 24)..<(ours.count - 22)]), [0x04, 0x10], "mac not where expected")
        ours[ours.count - 7] ^= 0x01
        assertThrowsCrypto(.decryptionFailed) { try decrypt(ours, with: [Fixtures.bob]) }

        // The CLI's DER: the mac is the last 16 bytes, the ciphertext just before it.
        let data = try dir.write("plain.bin", plaintext)
        let cert = try dir.write("bob.pem", Fixtures.bob.certificate.pem)
        let env = dir.file("gcm.der")
        try openssl(["cms", "-encrypt", "-binary", "-outform", "DER", "-aes-256-gcm", "-in", data, "-out", env, cert])
        let good = try dir.read("gcm.der")
        XCTAssertEqual(try decrypt(good, with: [Fixtures.bob]).1, plaintext)
        var badTag = good
        badTag[badTag.count - 1] ^= 0x80
        assertThrowsCrypto(.decryptionFailed) { try decrypt(badTag, with: [Fixtures.bob]) }
        var badCiphertext = good
        badCiphertext[badCiphertext.count - 100] ^= 0x01
        assertThrowsCrypto(.decryptionFailed) { try decrypt(badCiphertext, with: [Fixtures.bob]) }
    }

    func testGarbageAndTruncatedEnvelopesAreMalformed() throws {
        let envelope = try encrypt(plaintext, to: [Fixtures.bob.certificate], .aes128CBC)
        assertThrowsCrypto(.malformedInput) { try decrypt(Array(envelope.prefix(200)), with: [Fixtures.bob]) }
        assertThrowsCrypto(.malformedInput) { try decrypt(Array(envelope.prefix(envelope.count - 3)), with: [Fixtures.bob]) }
        assertThrowsCrypto(.malformedInput) { try decrypt(Array("hello world".utf8), with: [Fixtures.bob]) }
        assertThrowsCrypto(.malformedInput) { try decrypt([], with: [Fixtures.bob]) }
        let signature = try CMS.signDetached(content: MemoryByteSource(plaintext), signer: Fixtures.alice, digest: .sha256)
        assertThrowsCrypto(.malformedInput) { try decrypt(signature, with: [Fixtures.bob]) }
    }

    // MARK: Cross-checks with the openssl CLI

    func testOurEnvelopesDecryptWithOpenSSL() throws {
        let cert = try dir.write("bob.pem", Fixtures.bob.certificate.pem)
        let key = try dir.write("bob.key", Fixtures.bob.privateKey.pem())
        for algorithm in ContentEncryptionAlgorithm.allCases where algorithm.isSendable {
            for transport in KeyTransportAlgorithm.allCases {
                let env = try dir.write("ours.der", try encrypt(plaintext, to: [Fixtures.alice.certificate, Fixtures.bob.certificate], algorithm, transport))
                let out = dir.file("out.bin")
                try openssl(["cms", "-decrypt", "-binary", "-inform", "DER", "-in", env, "-recip", cert, "-inkey", key, "-out", out])
                XCTAssertEqual(try dir.read("out.bin"), plaintext, "\(algorithm) \(transport)")
            }
        }
        let env = try dir.write("oaep.der", try encrypt(plaintext, to: [Fixtures.bob.certificate], .aes256CBC, .rsaOAEP))
        let printed = try openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", env]).text
        XCTAssertTrue(printed.contains("rsaesOaep"), printed)
    }

    func testOpenSSLEnvelopesDecryptWithUs() throws {
        let data = try dir.write("plain.bin", plaintext)
        let cert = try dir.write("bob.pem", Fixtures.bob.certificate.pem)
        let cases: [([String], ContentEncryptionAlgorithm, KeyTransportAlgorithm, Bool)] = [
            (["-aes256"], .aes256CBC, .rsaPKCS1v15, false),
            (["-aes128"], .aes128CBC, .rsaPKCS1v15, false),
            (["-aes192"], .aes192CBC, .rsaPKCS1v15, false),
            (["-des3"], .tripleDES, .rsaPKCS1v15, false),
            (["-aes-128-gcm"], .aes128GCM, .rsaPKCS1v15, true),
            (["-aes-256-gcm"], .aes256GCM, .rsaPKCS1v15, true),
            (["-aes256", "-stream"], .aes256CBC, .rsaPKCS1v15, false),
            (["-aes-256-gcm", "-stream"], .aes256GCM, .rsaPKCS1v15, true),
            (["-des3", "-stream", "-keyid"], .tripleDES, .rsaPKCS1v15, false),
            (["-aes256", "-keyid"], .aes256CBC, .rsaPKCS1v15, false),
            (["-des", "-provider", "legacy", "-provider", "default"], .desCBC, .rsaPKCS1v15, false),
            (["-rc2-40-cbc", "-provider", "legacy", "-provider", "default"], .rc2_40CBC, .rsaPKCS1v15, false),
        ]
        for (options, algorithm, transport, auth) in cases {
            let env = dir.file("theirs.der")
            try openssl(["cms", "-encrypt", "-binary", "-outform", "DER", "-in", data, "-out", env] + options + [cert])
            let envelope = try dir.read("theirs.der")
            if options.contains("-stream") {
                XCTAssertEqual(Array(envelope.prefix(2)), [0x30, 0x80], "expected indefinite-length BER")
            }
            let (result, output) = try decrypt(envelope, with: [Fixtures.alice, Fixtures.bob])
            XCTAssertEqual(output, plaintext, "\(options)")
            XCTAssertEqual(result.algorithm, algorithm, "\(options)")
            XCTAssertEqual(result.keyTransport, transport)
            XCTAssertEqual(result.wasAuthEnveloped, auth)
        }
        // RSAES-OAEP key transport, streamed and not.
        for stream in [false, true] {
            let env = dir.file("oaep.der")
            try openssl(["cms", "-encrypt", "-binary", "-outform", "DER", "-aes256", "-in", data, "-out", env, "-recip", cert, "-keyopt", "rsa_padding_mode:oaep"] + (stream ? ["-stream"] : []))
            let (result, output) = try decrypt(try dir.read("oaep.der"), with: [Fixtures.bob])
            XCTAssertEqual(output, plaintext)
            XCTAssertEqual(result.keyTransport, .rsaOAEP)
        }
        // OAEP with SHA-256 (RFC 4055 parameters).
        let env = dir.file("oaep256.der")
        try openssl(["cms", "-encrypt", "-binary", "-outform", "DER", "-aes-128-gcm", "-in", data, "-out", env, "-recip", cert,
                     "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha256"])
        let (result, output) = try decrypt(try dir.read("oaep256.der"), with: [Fixtures.bob])
        XCTAssertEqual(output, plaintext)
        XCTAssertEqual(result.keyTransport, .rsaOAEP)
    }

    func testChunkedIndefiniteLengthEnvelopeDecrypts() throws {
        // Re-encode a DER envelope as BER the way other streaming encoders may: indefinite lengths
        // everywhere, the ciphertext as a constructed OCTET STRING of uneven chunks, including empty
        // and nested constructed ones, with chunk boundaries anywhere.
        let data = try dir.write("plain.bin", plaintext)
        let cert = try dir.write("bob.pem", Fixtures.bob.certificate.pem)
        for cipher in ["-aes128", "-aes-256-gcm"] {
            let env = dir.file("env.der")
            try openssl(["cms", "-encrypt", "-binary", "-outform", "DER", cipher, "-in", data, "-out", env, cert])
            let der = try TLV.parse(try dir.read("env.der"))
            let envelope = der.children[1].children[0]
            let eci = envelope.children.first { $0.tag == 0x30 }!
            let ciphertext = eci.children[2].value
            var chunks: [UInt8] = []
            var offset = 0
            var size = 1
            var nested = false
            while offset < ciphertext.count {
                let end = min(ciphertext.count, offset + size)
                let piece = TLV.encode(0x04, Array(ciphertext[offset..<end]))
                chunks += nested ? [0x24, 0x80] + piece + TLV.encode(0x04, []) + [0, 0] : piece
                offset = end
                size = size * 7 % 1013 + 1
                nested.toggle()
            }
            let indefinite = { (tag: UInt8, content: [UInt8]) in [tag, 0x80] + content + [0, 0] }
            let newECI = indefinite(0x30, eci.children[0].encoded + eci.children[1].encoded + indefinite(0xa0, chunks))
            let fields = envelope.children.map { $0.tag == 0x30 ? newECI : $0.encoded }.joined()
            let ber = indefinite(0x30, der.children[0].encoded + indefinite(0xa0, indefinite(0x30, Array(fields))))
            let (result, output) = try decrypt(ber, with: [Fixtures.bob])
            XCTAssertEqual(output, plaintext, cipher)
            XCTAssertEqual(result.wasAuthEnveloped, cipher.contains("gcm"))
            // Missing closing octets: truncated.
            assertThrowsCrypto(.malformedInput) { try decrypt(Array(ber.dropLast(2)), with: [Fixtures.bob]) }
        }
    }

    func testAESGCMInsideEnvelopedDataIsDecrypted() throws {
        // Rebuild an AuthEnvelopedData from the CLI as EnvelopedData with the tag appended to the
        // ciphertext: how Mendelson (BouncyCastle's EnvelopedData generator) sends AES-GCM.
        let data = try dir.write("plain.bin", plaintext)
        let cert = try dir.write("bob.pem", Fixtures.bob.certificate.pem)
        let env = dir.file("gcm.der")
        try openssl(["cms", "-encrypt", "-binary", "-outform", "DER", "-aes-128-gcm", "-in", data, "-out", env, cert])
        let auth = try TLV.parse(try dir.read("gcm.der"))
        let authEnveloped = auth.children[1].children[0]
        let fields = authEnveloped.children
        let recipientInfos = fields.first { $0.tag == 0x31 }!
        let eci = fields.first { $0.tag == 0x30 }!
        let mac = fields.last!
        XCTAssertEqual(mac.tag, 0x04)
        let ciphertext = eci.children[2]
        XCTAssertEqual(ciphertext.tag, 0x80)
        let newECI = TLV.encode(0x30, eci.children[0].encoded + eci.children[1].encoded + TLV.encode(0x80, ciphertext.value + mac.value))
        let enveloped = TLV.encode(0x30, [0x02, 0x01, 0x00] + recipientInfos.encoded + newECI)
        let envelopedOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03]
        let mendelson = TLV.encode(0x30, envelopedOID + TLV.encode(0xa0, enveloped))
        XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(mendelson)), .envelopedData)

        let (result, output) = try decrypt(mendelson, with: [Fixtures.bob])
        XCTAssertEqual(output, plaintext)
        XCTAssertEqual(result.algorithm, .aes128GCM)
        XCTAssertFalse(result.wasAuthEnveloped)

        var badTag = mendelson
        badTag[badTag.count - 1] ^= 0x01
        assertThrowsCrypto(.decryptionFailed) { try decrypt(badTag, with: [Fixtures.bob]) }
    }
}

/// A minimal DER reader/writer for building test inputs (definite lengths only).
struct TLV {
    let tag: UInt8
    let value: [UInt8]
    let encoded: [UInt8]

    var children: [TLV] {
        var out: [TLV] = []
        var i = 0
        while i < value.count, let (child, size) = TLV.read(value, at: i) {
            out.append(child)
            i += size
        }
        return out
    }

    static func parse(_ bytes: [UInt8]) throws -> TLV {
        guard let (tlv, _) = read(bytes, at: 0) else { throw CryptoError(.malformedInput, "test TLV parse failed") }
        return tlv
    }

    static func read(_ bytes: [UInt8], at start: Int) -> (TLV, Int)? {
        guard start + 2 <= bytes.count else { return nil }
        let tag = bytes[start]
        var length = Int(bytes[start + 1])
        var header = 2
        if length & 0x80 != 0 {
            let n = length & 0x7f
            guard n > 0, start + 2 + n <= bytes.count else { return nil }
            length = bytes[(start + 2)..<(start + 2 + n)].reduce(0) { $0 << 8 | Int($1) }
            header += n
        }
        guard start + header + length <= bytes.count else { return nil }
        let value = Array(bytes[(start + header)..<(start + header + length)])
        return (TLV(tag: tag, value: value, encoded: Array(bytes[start..<(start + header + length)])), header + length)
    }

    static func encode(_ tag: UInt8, _ value: [UInt8]) -> [UInt8] {
        var length: [UInt8]
        if value.count < 0x80 {
            length = [UInt8(value.count)]
        } else {
            var bytes: [UInt8] = []
            var n = value.count
            while n > 0 {
                bytes.insert(UInt8(n & 0xff), at: 0)
                n >>= 8
            }
            length = [0x80 | UInt8(bytes.count)] + bytes
        }
        return [tag] + length + value
    }
}
