import AS2Bytes
import AS2Crypto
import AS2Protocol
import Foundation
import XCTest

/// Refusals with their exact dispositions, on input made by pyas2lib and the openssl CLI
/// (issue 2, item 6; requirements §7 cases 33–38, 42–44, 49, 52–56, 60–62). A refused message
/// is never `.accepted`, so nothing is delivered; where a receipt goes back, pyas2lib reads
/// the same disposition out of our signed MDN.
final class InteropNegativeTests: XCTestCase {
    private var acme: TestParty!
    private var globex: TestParty!
    private var mallory: TestParty!
    private var dir: String!
    private var security: InboundSecurity!
    private let peer = InteropPeer.shared
    private let signedOnly = InboundPolicy(requireEncryption: false)
    private let anything = InboundPolicy(
        requireSignature: false, requireEncryption: false, minimumSignatureDigest: .sha1, minimumEncryption: .tripleDES)

    override func setUp() async throws {
        acme = try TestPKI.shared.party("acme")
        globex = try TestPKI.shared.party("globex")
        mallory = try TestPKI.shared.party("mallory")
        dir = try InteropEnvironment.makeTemporaryDirectory("interop-negative").path
        security = InboundSecurity(decryptionIdentities: [try globex.identity()], partnerCertificates: [try acme.certificate()])
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    // MARK: - helpers

    private func payloadFile(_ bytes: Data = MatrixPayload.binary.bytes, name: String = "payload") throws -> String {
        let path = dir + "/" + name
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// pyas2lib builds from acme to globex (a signed sync MDN requested), as `configure` sets it up.
    private func pyBuild(_ name: String, configure: (inout InteropPeer.BuildRequest) -> Void) async throws -> String {
        var build = InteropPeer.BuildRequest(payload: try payloadFile(), out: dir + "/\(name).cap", from: acme, to: globex)
        build.contentType = "application/octet-stream"
        build.mdnMode = .sync
        build.mdnDigest = .sha256
        configure(&build)
        _ = try await peer.build(build)
        return build.out
    }

    /// `build_raw` from acme to globex with a signed sync MDN requested.
    private func rawBuild(
        _ name: String, _ layers: [InteropPeer.RawLayer], payload: String? = nil,
        configure: (inout InteropPeer.RawBuildRequest) -> Void = { _ in }
    ) async throws -> String {
        var request = InteropPeer.RawBuildRequest(
            payload: try payload ?? payloadFile(), out: dir + "/\(name).cap", from: acme, to: globex, layers: layers)
        request.mdnMode = .sync
        request.mdnDigest = "sha-256"
        configure(&request)
        _ = try await peer.buildRaw(request)
        return request.out
    }

    /// A copy of a captured message with its body changed by `change` (headers kept).
    private func tampered(_ path: String, _ name: String, _ change: (inout Data) throws -> Void) throws -> String {
        let captured = try CapturedMessage.read(from: path)
        var body = try captured.body()
        try change(&body)
        let bodyPath = dir + "/\(name).body"
        try body.write(to: URL(fileURLWithPath: bodyPath))
        let out = dir + "/\(name).cap"
        try CapturedMessage(headers: captured.headers, bodyPath: bodyPath).write(to: out)
        return out
    }

    /// A copy of a captured message with header `name` set to `value`.
    private func withHeader(_ path: String, _ name: String, _ value: String, as copy: String) throws -> String {
        let captured = try CapturedMessage.read(from: path)
        var headers = captured.headers
        if let index = headers.firstIndex(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
            headers[index].value = value
        } else {
            headers.append((name: name, value: value))
        }
        let out = dir + "/\(copy).cap"
        try CapturedMessage(headers: headers, bodyPath: captured.bodyPath).write(to: out)
        return out
    }

    private func unpack(_ path: String, policy: InboundPolicy, security: InboundSecurity? = nil) throws -> (InboundRequest, UnpackResult) {
        let (headers, body) = try CapturedFile.read(path)
        let request = try InboundRequest(headers: headers)
        let result = MessageUnpacker.unpack(
            request: request, body: body, security: security ?? self.security, policy: policy, workDirectory: dir)
        return (request, result)
    }

    /// Asserts that the message at `path` is refused with `expected` (one of `alternatives` also
    /// passes where requirements §7 allows two), and returns the refusal.
    @discardableResult
    private func assertRefused(
        _ path: String, _ expected: DispositionError, or alternatives: [DispositionError] = [], policy: InboundPolicy,
        security: InboundSecurity? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws -> (InboundRequest, UnpackRejection)? {
        let (request, result) = try unpack(path, policy: policy, security: security)
        switch result {
        case .accepted:
            XCTFail("\(path): accepted (and would be delivered), expected \(expected.rawValue)", file: file, line: line)
            return nil
        case let .rejected(rejection):
            let allowed = ([expected] + alternatives).map(\.disposition)
            XCTAssertTrue(
                allowed.contains(rejection.disposition),
                "\(path): \(rejection.disposition.headerValue) (\(rejection.reason)), expected \(expected.rawValue)", file: file, line: line)
            return (request, rejection)
        }
    }

    /// Our signed error receipt for `rejection`: pyas2lib must read the same error out of it, and
    /// it must carry no Received-Content-MIC.
    private func assertPyAS2LibReadsOurErrorMDN(
        _ request: InboundRequest, _ rejection: UnpackRejection, _ expected: DispositionError,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let report = MDNBuilder.report(for: request, disposition: rejection.disposition, mic: nil, reason: rejection.reason)
        XCTAssertNil(report.receivedContentMIC, file: file, line: line)
        let mdn = try MDNBuilder.build(
            report: report, from: request.as2To, to: request.as2From, messageID: MessageID.generate(domain: "globex.test"),
            signer: try globex.identity(), digest: request.mdnRequest?.signingDigest ?? .sha256)
        let path = dir + "/error-mdn-\(UUID().uuidString).cap"
        try CapturedFile.write(headers: mdn.headers, body: MemoryByteSource(mdn.body), to: path)
        // The peer keeps what `build` made (with its partner certificate); check against globex's.
        try await peer.forget(messageIDs: [MessageID.normalizedKey(request.messageID)])
        let receipt = try await peer.parseMDN(
            .init(mdn: path, expect: .init(mic: nil, mdnDigest: .sha256, partnerCert: globex.certPEM, as2To: "globex")))
        XCTAssertTrue(receipt.signatureVerified, file: file, line: line)
        XCTAssertEqual(receipt.status?.lowercased(), "processed/error", file: file, line: line)
        XCTAssertEqual(receipt.detailedStatus, expected.rawValue, file: file, line: line)
        XCTAssertNil(receipt.receivedMIC, file: file, line: line)
    }

    // MARK: - signature (cases 33–35)

    func testTamperedPayloadIsIntegrityCheckFailed() async throws {
        let path = try await pyBuild("signed") { $0.sign = .sha256 }
        let bad = try tampered(path, "tampered") { body in
            let marker = try XCTUnwrap(body.range(of: Data("Content-Transfer-Encoding: binary\r\n\r\n".utf8)))
            body[marker.upperBound + 100] ^= 0x01
        }
        let (request, rejection) = try XCTUnwrap(try assertRefused(bad, .integrityCheckFailed, policy: signedOnly))
        XCTAssertNotNil(rejection.signer, "the signer is known: only the content changed")
        try await assertPyAS2LibReadsOurErrorMDN(request, rejection, .integrityCheckFailed)
        // The untouched message passes, so the refusal is about the flipped byte alone.
        guard case .accepted = try unpack(path, policy: signedOnly).1 else { return XCTFail("original refused") }
    }

    func testSignatureByAnotherCertificateIsAuthenticationFailed() async throws {
        // pyas2lib signs with mallory's key and embeds mallory's certificate: never trusted.
        let path = try await pyBuild("mallory") {
            $0.sign = .sha256
            $0.key = self.mallory.keyPEM
            $0.cert = self.mallory.certPEM
        }
        let (request, rejection) = try XCTUnwrap(try assertRefused(path, .authenticationFailed, policy: signedOnly))
        try await assertPyAS2LibReadsOurErrorMDN(request, rejection, .authenticationFailed)

        // openssl-made, without any embedded certificate.
        var sign = InteropPeer.RawLayer.sign
        sign.includeCerts = false
        let raw = try await rawBuild("mallory-raw", [sign, .encrypt]) {
            $0.key = self.mallory.keyPEM
            $0.cert = self.mallory.certPEM
        }
        try assertRefused(raw, .authenticationFailed, policy: InboundPolicy())

        // The right signature checked against only mallory's certificate.
        let honest = try await pyBuild("honest") { $0.sign = .sha256 }
        let wrongTrust = InboundSecurity(decryptionIdentities: security.decryptionIdentities, partnerCertificates: [try mallory.certificate()])
        try assertRefused(honest, .authenticationFailed, policy: signedOnly, security: wrongTrust)
    }

    func testCorruptSignaturePartIsAuthenticationFailed() async throws {
        let path = try await pyBuild("to-corrupt") { $0.sign = .sha512 }
        let captured = try CapturedMessage.read(from: path)
        let boundary = try MIMEBytes.boundary(of: try XCTUnwrap(captured.header("Content-Type")))
        let (_, signaturePart) = try MIMEBytes.splitMultipart(try captured.body(), boundary: boundary)
        let signatureBase64 = try MIMEBytes.splitEntity(signaturePart).body
        // Case 34: the DER cut short (re-encoded as valid base64).
        let der = try MIMEBytes.base64Body(of: signaturePart)
        let shortened = Data(der.prefix(der.count / 2)).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let truncated = try tampered(path, "sig-truncated") { body in
            let range = try XCTUnwrap(body.range(of: signatureBase64))
            body.replaceSubrange(range, with: Data((shortened + "\r\n").utf8))
        }
        try assertRefused(truncated, .authenticationFailed, policy: signedOnly)
        // Case 53: characters outside the base64 alphabet: strict decoding, no skipping.
        let starred = try tampered(path, "sig-star") { body in
            let range = try XCTUnwrap(body.range(of: signatureBase64))
            body.replaceSubrange(range.lowerBound + 10..<range.lowerBound + 14, with: Data("****".utf8))
        }
        try assertRefused(starred, .authenticationFailed, policy: signedOnly)
    }

    func testUnknownMicalgStillVerifies() async throws {
        // Case 49: pyas2lib's message with its micalg label replaced.
        let path = try await pyBuild("micalg") { $0.sign = .sha256 }
        let captured = try CapturedMessage.read(from: path)
        let contentType = try XCTUnwrap(captured.header("Content-Type"))
        let relabelled = try withHeader(
            path, "Content-Type", contentType.replacing(/micalg="?sha256"?/, with: "micalg=foo"), as: "micalg-foo")
        XCTAssertNotEqual(contentType, try CapturedMessage.read(from: relabelled).header("Content-Type"))
        let (_, result) = try unpack(relabelled, policy: signedOnly)
        guard case let .accepted(message) = result else { return XCTFail("refused: \(result.disposition)") }
        XCTAssertEqual(message.layers.signature?.digest, .sha256)
        XCTAssertTrue(message.notes.contains { $0.contains("unknown micalg \"foo\"") }, "\(message.notes)")
    }

    // MARK: - encryption (cases 36–38)

    func testEncryptedToAnotherKeyIsDecryptionFailed() async throws {
        let path = try await pyBuild("to-mallory") {
            $0.sign = .sha256
            $0.encrypt = .aes256CBC
            $0.partnerCert = self.mallory.certPEM
        }
        let (request, rejection) = try XCTUnwrap(try assertRefused(path, .decryptionFailed, policy: InboundPolicy()))
        try await assertPyAS2LibReadsOurErrorMDN(request, rejection, .decryptionFailed)

        var gcm = InteropPeer.RawLayer.encrypt
        gcm.cipher = .aes256GCM
        gcm.keyEncryption = .oaep
        let raw = try await rawBuild("gcm-to-mallory", [.sign, gcm]) { $0.partnerCert = self.mallory.certPEM }
        try assertRefused(raw, .decryptionFailed, policy: InboundPolicy())
    }

    func testAlteredCiphertextIsDecryptionFailed() async throws {
        // Case 37: a CBC ciphertext byte flipped near the end (padding or MIME then break).
        let cbc = try await pyBuild("cbc") {
            $0.sign = .sha256
            $0.encrypt = .aes128CBC
        }
        let flipped = try tampered(cbc, "cbc-flipped") { $0[$0.count - 5] ^= 0x80 }
        try assertRefused(flipped, .decryptionFailed, or: [.authenticationFailed, .integrityCheckFailed, .unexpectedProcessingError], policy: InboundPolicy())
        // Case 38: the GCM tag (or last ciphertext byte) altered: authentication of the envelope fails.
        var gcm = InteropPeer.RawLayer.encrypt
        gcm.cipher = .aes128GCM
        let sealed = try await rawBuild("gcm", [.sign, gcm])
        let der = try CapturedMessage.read(from: sealed).body()
        let printed = try OpenSSLCLI.printCMS(der)
        XCTAssertTrue(printed.contains("id-smime-ct-authEnvelopedData"))
        let badTag = try tampered(sealed, "gcm-tag") { $0[$0.count - 3] ^= 0x01 }
        try assertRefused(badTag, .decryptionFailed, policy: InboundPolicy())
        // A truncated envelope.
        let cut = try tampered(cbc, "cbc-truncated") { $0 = $0.prefix($0.count / 2) }
        try assertRefused(cut, .decryptionFailed, policy: InboundPolicy())
    }

    // MARK: - policy (cases 8, 42–44)

    func testUnsignedOrWeakMessagesAreInsufficientMessageSecurity() async throws {
        let unsigned = try await pyBuild("unsigned") { $0.encrypt = .aes256CBC }
        let (request, rejection) = try XCTUnwrap(try assertRefused(unsigned, .insufficientMessageSecurity, policy: InboundPolicy()))
        try await assertPyAS2LibReadsOurErrorMDN(request, rejection, .insufficientMessageSecurity)

        let unencrypted = try await pyBuild("unencrypted") { $0.sign = .sha256 }
        try assertRefused(unencrypted, .insufficientMessageSecurity, policy: InboundPolicy())

        let sha1 = try await pyBuild("sha1") {
            $0.sign = .sha1
            $0.encrypt = .aes256CBC
        }
        try assertRefused(sha1, .insufficientMessageSecurity, policy: InboundPolicy())
        let tripleDES = try await pyBuild("3des") {
            $0.sign = .sha256
            $0.encrypt = .tripleDES
        }
        try assertRefused(tripleDES, .insufficientMessageSecurity, policy: InboundPolicy())
        // Case 8: the same legacy message with legacy algorithms enabled is processed.
        let legacy = try await pyBuild("legacy") {
            $0.sign = .sha1
            $0.encrypt = .tripleDES
        }
        guard case .accepted = try unpack(legacy, policy: InboundPolicy(minimumSignatureDigest: .sha1, minimumEncryption: .tripleDES)).1 else {
            return XCTFail("legacy message refused with legacy algorithms enabled")
        }
    }

    // MARK: - robustness (cases 52, 54)

    func testTruncatedAndGarbageBodiesAreRefused() async throws {
        let signed = try await pyBuild("signed-plain") { $0.sign = .sha256 }
        // Case 52: multipart/signed without its closing delimiter.
        let noClose = try tampered(signed, "no-close") { body in
            let boundary = try MIMEBytes.boundary(of: try XCTUnwrap(CapturedMessage.read(from: signed).header("Content-Type")))
            let close = try XCTUnwrap(body.range(of: Data("--\(boundary)--".utf8)))
            body = body.prefix(upTo: close.lowerBound)
        }
        try assertRefused(noClose, .unexpectedProcessingError, or: [.authenticationFailed], policy: signedOnly)
        // Cut in the middle of the payload part.
        let half = try tampered(signed, "signed-half") { $0 = $0.prefix($0.count / 3) }
        try assertRefused(half, .unexpectedProcessingError, or: [.authenticationFailed], policy: signedOnly)

        // Garbage where CMS is announced.
        let encrypted = try await pyBuild("garbage-base") { $0.encrypt = .aes256CBC }
        var generator = SystemRandomNumberGenerator()
        let garbage = Data((0..<4000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let enveloped = try tampered(encrypted, "garbage-enveloped") { $0 = garbage }
        try assertRefused(enveloped, .decryptionFailed, policy: anything)
        let empty = try tampered(encrypted, "empty-enveloped") { $0 = Data() }
        try assertRefused(empty, .decryptionFailed, policy: anything)
        let compressed = try await pyBuild("garbage-compressed") { $0.compress = true }
        let garbageCompressed = try tampered(compressed, "garbage-compressed-body") { $0 = garbage }
        try assertRefused(garbageCompressed, .decompressionFailed, policy: anything)

        // Case 54: invalid base64 under an HTTP Content-Transfer-Encoding: base64.
        let base64 = try await rawBuild("http-b64", [.sign, .encrypt]) { $0.httpTransferEncoding = "base64" }
        let invalid = try tampered(base64, "http-b64-invalid") { body in
            body.replaceSubrange(100..<103, with: Data("*!*".utf8))
        }
        try assertRefused(invalid, .unexpectedProcessingError, policy: InboundPolicy())
    }

    // MARK: - compression (cases 60–62)

    func testCompressionBombsAndBrokenZlibAreDecompressionFailed() async throws {
        // 16 MiB of zeros compress to about 16 KB: far above the default 1:200 ratio limit.
        let zeros = try payloadFile(Data(count: 16 << 20), name: "zeros")
        let bomb = try await rawBuild("bomb", [.compress], payload: zeros)
        XCTAssertLessThan(try CapturedMessage.read(from: bomb).bodySource().count, 64 * 1024)
        let (request, rejection) = try XCTUnwrap(try assertRefused(bomb, .decompressionFailed, policy: anything))
        try await assertPyAS2LibReadsOurErrorMDN(request, rejection, .decompressionFailed)
        // Inside a valid signature and envelope: still refused, after decryption and verification.
        let wrapped = try await rawBuild("bomb-wrapped", [.compress, .sign, .encrypt], payload: zeros)
        try assertRefused(wrapped, .decompressionFailed, policy: InboundPolicy())
        // Over the size cap even at a modest ratio (pyas2lib-made compressed message).
        let modest = try await pyBuild("modest") {
            $0.sign = .sha256
            $0.compress = true
        }
        var capped = signedOnly
        capped.maxDecompressedBytes = 512
        try assertRefused(modest, .decompressionFailed, policy: capped)
        // Case 62: compressed data inside compressed data.
        let nested = try await rawBuild("nested", [.compress, .compress])
        try assertRefused(nested, .decompressionFailed, policy: anything)
        // Case 61: a corrupt zlib stream (its Adler-32 trailer altered).
        let adler = try tampered(modest, "adler") { body in
            // The signed part holds the CompressedData; its zlib stream ends in the Adler-32.
            let boundary = try MIMEBytes.boundary(of: try XCTUnwrap(CapturedMessage.read(from: modest).header("Content-Type")))
            let (first, _) = try MIMEBytes.splitMultipart(body, boundary: boundary)
            let firstRange = try XCTUnwrap(body.range(of: first))
            body[firstRange.upperBound - 1] ^= 0xFF
        }
        // The signature covers the zlib bytes: a verifying receiver sees the change first.
        try assertRefused(adler, .integrityCheckFailed, policy: signedOnly)
        let unsignedCompressed = try await pyBuild("unsigned-compressed") { $0.compress = true }
        let brokenZlib = try tampered(unsignedCompressed, "zlib-broken") { $0[$0.count - 2] ^= 0xFF }
        try assertRefused(brokenZlib, .decompressionFailed, policy: anything)
    }

    // MARK: - filenames (cases 55–56)

    func testPathTraversalFilenamesAreSanitized() async throws {
        let cases: [(String, String?)] = [
            ("../../etc/passwd", "passwd"),
            ("/etc/shadow", "shadow"),
            ("C:\\temp\\x.edi", "x.edi"),
            ("..", nil),
            ("invoice.edi", "invoice.edi"),
        ]
        for (index, (sent, expected)) in cases.enumerated() {
            let path = try await pyBuild("filename-\(index)") {
                $0.sign = .sha256
                $0.encrypt = .aes128CBC
                $0.filename = sent
            }
            let (_, result) = try unpack(path, policy: InboundPolicy())
            guard case let .accepted(message) = result else {
                XCTFail("\(sent): refused \(result.disposition)")
                continue
            }
            XCTAssertEqual(message.originalFilename, sent, "the partner's name is kept for the log")
            XCTAssertEqual(message.filename, expected, sent)
            if let safe = message.filename {
                XCTAssertFalse(safe.contains("/") || safe.contains("\\") || safe.hasPrefix("."), "\(sent) → \(safe)")
            }
        }
        // Names only a raw sender would send: device names and control characters.
        for (index, sent) in ["CON", "a\u{7}b.edi", String(repeating: "x", count: 300) + ".edi"].enumerated() {
            let path = try await rawBuild("raw-filename-\(index)", [.sign]) { $0.filename = sent }
            let (_, result) = try unpack(path, policy: signedOnly)
            guard case let .accepted(message) = result else {
                XCTFail("\(sent): refused \(result.disposition)")
                continue
            }
            if let safe = message.filename {
                XCTAssertNotEqual(safe.uppercased(), "CON", sent)
                XCTAssertFalse(safe.unicodeScalars.contains { $0.value < 0x20 }, sent)
                XCTAssertLessThanOrEqual(safe.utf8.count, 255, sent)
            }
        }
    }
}
