import AS2Bytes
import AS2Crypto
import AS2MIME
@testable import AS2Protocol
import Foundation
import XCTest

/// Every layering of requirements §2.1 rows 1–10 built by us and unpacked by us, with the MIC the
/// receiver computes equal to what the sender expects (§3).
final class MessageRoundTripTests: XCTestCase {
    let x = Exchange()
    let lenient = InboundPolicy(requireSignature: false, requireEncryption: false)

    func check(_ payload: [UInt8], _ options: OutboundMessageOptions, policy: InboundPolicy? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> (PreparedMessage, UnpackedMessage) {
        let (message, _, result) = try x.roundTrip(payload, options, policy: policy ?? lenient)
        let m = try accepted(result, file: file, line: line)
        XCTAssertEqual(try m.payload.readAll(), payload, "payload not byte-identical", file: file, line: line)
        let expected = message.expectedMICs.first { $0.algorithm == m.mic.algorithm && $0.digest == m.mic.digest }
        XCTAssertNotNil(expected, "receiver MIC \(m.mic.headerValue) not among the sender's \(message.expectedMICs)", file: file, line: line)
        XCTAssertEqual(message.layers.map(\.name), m.layers.map(\.name), file: file, line: line)
        return (message, m)
    }

    func testEveryLayeringAndAlgorithmRoundTrips() throws {
        let payloads: [[UInt8]] = [[], lfText, randomBytes(1024)]
        for sign in [nil, DigestAlgorithm.sha1, .sha256, .sha384, .sha512] {
            for encrypt in [nil, ContentEncryptionAlgorithm.tripleDES, .aes128CBC, .aes192CBC, .aes256CBC, .aes128GCM, .aes256GCM] {
                for compress in CompressionMode.allCases {
                    for mdnSigned in [false, true] {
                        let payload = payloads[((sign?.strength ?? 0) + (encrypt?.strength ?? 0) + (mdnSigned ? 1 : 0)) % payloads.count]
                        let o = x.options(sign: sign, encrypt: encrypt, compress: compress, mdn: MDNRequest(signingDigest: mdnSigned ? .sha256 : nil))
                        _ = try check(payload, o, policy: InboundPolicy(requireSignature: false, requireEncryption: false, minimumSignatureDigest: .sha1, minimumEncryption: .tripleDES))
                    }
                }
            }
        }
    }

    func testPlainMessageMICIsSHA1OfTheBodyOnly() throws {
        // Acceptance case 1.
        let payload = Array("UNB+UNOA:1+GLOBEX+ACME'".utf8)
        let (message, m) = try check(payload, x.options(sign: nil, encrypt: nil, mdn: MDNRequest(signingDigest: nil)))
        XCTAssertEqual(m.mic.algorithm, .sha1)
        XCTAssertEqual(m.mic.digest, try Digest.compute(.sha1, over: MemoryByteSource(payload)))
        XCTAssertEqual(message.headers.first { $0.name == "Content-Type" }?.value, "application/edi-x12")
        XCTAssertEqual(m.filename, "invoice.edi")
    }

    func testSignedMICCoversTheFirstPartWithHeaders() throws {
        // Acceptance case 2: MIC = SHA-256 over the raw first part.
        let (message, m) = try check(lfText, x.options(sign: .sha256, encrypt: nil))
        XCTAssertEqual(m.mic.algorithm, .sha256)
        // Both sides take the MIC from their signature pass: check it against the first part's
        // bytes cut out of the body here, independently.
        let body = try message.body.readAll()
        let contentType = try XCTUnwrap(message.headers.first { $0.name == "Content-Type" }?.value)
        let boundary = try XCTUnwrap(ContentType(parsing: contentType)[parameter: "boundary"])
        let opening = Array("--\(boundary)\r\n".utf8)
        let closing = Array("\r\n--\(boundary)".utf8)
        XCTAssertEqual(Array(body.prefix(opening.count)), opening)
        let end = try XCTUnwrap((opening.count...(body.count - closing.count)).first { Array(body[$0..<($0 + closing.count)]) == closing })
        let firstPart = Array(body[opening.count..<end])
        XCTAssertEqual(m.mic.digest, try Digest.compute(.sha256, over: firstPart))
        XCTAssertEqual(message.primaryMIC?.digest, m.mic.digest)
        XCTAssertEqual(message.primaryMIC?.algorithm, .sha256)
        XCTAssertEqual(m.layers.signature?.digest, .sha256)
        XCTAssertEqual(m.signer?.sha256Fingerprint, x.parties.globex.certificate.sha256Fingerprint)
    }

    func testMICFollowsTheCanonicalVariantTheSignatureVerifiedOver() throws {
        // R-CAN-4: signed over CRLF text, sent with bare LFs; the MIC is over the bytes that verified.
        let header = Array("Content-Type: text/plain\r\n\r\n".utf8)
        let sent = header + Array("line 1\nline 2\n".utf8)
        let signed = header + Array("line 1\r\nline 2\r\n".utf8)
        let signature = try CMS.signDetached(content: MemoryByteSource(signed), signer: x.parties.globex, digest: .sha256)
        let boundary = "b-\(UUID().uuidString)"
        let body = MIMEWriter.multipart(boundary: boundary, parts: [
            MemoryByteSource(sent),
            MemoryByteSource(Array("Content-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
                + Array(TransferEncoding.encodeBase64(signature, lineLength: 76).utf8)),
        ])
        let headers: [(String, String)] = [
            ("AS2-From", "GLOBEX"), ("AS2-To", "ACME"), ("Message-ID", MessageID.generate(domain: "globex.test")),
            ("Content-Type", "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"\(boundary)\""),
            ("Disposition-Notification-To", "GLOBEX"),
            ("Disposition-Notification-Options", DispositionNotificationOptions.requestSigned(digest: .sha256)),
        ]
        let (_, result) = try x.unpack(headers: headers, body: body, policy: lenient)
        let m = try accepted(result)
        XCTAssertTrue(m.notes.contains { $0.contains("CRLF-canonicalized") }, "\(m.notes)")
        XCTAssertEqual(m.mic.algorithm, .sha256)
        XCTAssertEqual(m.mic.digest, try Digest.compute(.sha256, over: MemoryByteSource(signed)))
        // Asked for SHA-384 only: hashed again, over the same verified bytes.
        var sha384 = headers
        sha384[5] = ("Disposition-Notification-Options", DispositionNotificationOptions.requestSigned(digest: .sha384))
        sha384[2] = ("Message-ID", MessageID.generate(domain: "globex.test"))
        let m384 = try accepted(try x.unpack(headers: sha384, body: body, policy: lenient).1)
        XCTAssertEqual(m384.mic.algorithm, .sha384)
        XCTAssertEqual(m384.mic.digest, try Digest.compute(.sha384, over: MemoryByteSource(signed)))
    }

    func testEncryptedOnlyMICCoversTheDecryptedEntity() throws {
        // Acceptance case 3.
        let (message, m) = try check(lfText, x.options(sign: nil, encrypt: .aes256CBC, mdn: MDNRequest(signingDigest: nil)))
        XCTAssertEqual(message.primaryMIC?.variant, "entity")
        XCTAssertEqual(m.mic.algorithm, .sha1)
    }

    func testCompressionPositionsAreRecognised() throws {
        let (_, before) = try check(lfText, x.options(compress: .beforeSigning))
        XCTAssertEqual(before.layers.map(\.name), ["encrypted", "signed", "compressed"])
        let (_, after) = try check(lfText, x.options(compress: .afterSigning))
        XCTAssertEqual(after.layers.map(\.name), ["encrypted", "compressed", "signed"])
        let (_, only) = try check(lfText, x.options(sign: nil, encrypt: nil, compress: .beforeSigning))
        XCTAssertEqual(only.layers.map(\.name), ["compressed"])
    }

    func testPSSAndOAEPAndGCM() throws {
        // Acceptance cases 9 and 11.
        var o = x.options(sign: .sha256, encrypt: .aes256GCM)
        o.signatureScheme = .rsaPSS
        o.keyTransport = .rsaOAEP
        let (message, m) = try check(randomBytes(3000), o)
        XCTAssertTrue(message.headers.contains { $0.value.contains("smime-type=authEnveloped-data") })
        XCTAssertEqual(m.layers.signature?.scheme, .rsaPSS)
        XCTAssertEqual(m.layers.encryption?.keyTransport, .rsaOAEP)
        XCTAssertEqual(m.layers.encryption?.algorithm, .aes256GCM)
    }

    func testBase64PayloadPartAndLargePayloadThroughFiles() throws {
        var o = x.options(compress: .beforeSigning)
        o.payloadTransferEncoding = .base64
        _ = try check(randomBytes(10_000), o)
        // 5 MiB spools to disk on both sides (memory threshold below the size).
        let big = randomBytes(5 << 20)
        let built = try MessageBuilder.build(
            payload: MemoryByteSource(big), options: x.options(), signer: x.parties.globex,
            recipients: [x.parties.acme.certificate], workDirectory: x.work, memoryThreshold: 1 << 20
        )
        XCTAssertTrue(built.body is FileByteSource)
        let request = try InboundRequest(headers: built.headers.map { ($0.name, $0.value) })
        let result = MessageUnpacker.unpack(
            request: request, body: built.body,
            security: InboundSecurity(decryptionIdentities: [x.parties.acme], partnerCertificates: [x.parties.globex.certificate]),
            policy: InboundPolicy(), workDirectory: x.work, memoryThreshold: 1 << 20
        )
        let m = try accepted(result)
        XCTAssertTrue(try m.payload.contentEquals(MemoryByteSource(big)))
    }

    func testMICAlgorithmFollowsTheSignatureUnlessTheRequestNamesAnother() throws {
        // R-MICALG-1: signed with SHA-384, receipt asks for SHA-256 only → SHA-256.
        let (message, m) = try check(lfText, x.options(sign: .sha384, mdn: MDNRequest(signingDigest: .sha256)))
        XCTAssertEqual(m.mic.algorithm, .sha256)
        XCTAssertTrue(message.expectedMICs.contains { $0.algorithm == .sha384 })
        // Signed with SHA-512, receipt asks for SHA-512 → SHA-512.
        let (_, m2) = try check(lfText, x.options(sign: .sha512, mdn: MDNRequest(signingDigest: .sha512)))
        XCTAssertEqual(m2.mic.algorithm, .sha512)
    }
}
