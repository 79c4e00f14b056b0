import AS2Bytes
import AS2Crypto
import AS2Protocol
import Foundation
import XCTest

/// `as2-agent inspect` logic (`MessageInspector.inspect`) on pyas2lib-made messages and MDNs
/// (issue 2, item 7): the JSON verdict fields are right, checked against what pyas2lib and the
/// openssl CLI say, and so are the exit verdicts (valid / invalid / negative receipt).
final class InspectInteropTests: XCTestCase {
    private var acme: TestParty!
    private var globex: TestParty!
    private var mallory: TestParty!
    private var dir: String!
    private let peer = InteropPeer.shared

    override func setUp() async throws {
        acme = try TestPKI.shared.party("acme")
        globex = try TestPKI.shared.party("globex")
        mallory = try TestPKI.shared.party("mallory")
        dir = try InteropEnvironment.makeTemporaryDirectory("inspect-interop").path
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// globex receiving from acme (or trusting `partner` instead).
    private func security(trusting partner: TestParty? = nil) throws -> InboundSecurity {
        InboundSecurity(decryptionIdentities: [try globex.identity()], partnerCertificates: [try (partner ?? acme).certificate()])
    }

    private func inspect(
        _ path: String, security: InboundSecurity, policy: InboundPolicy = .permissive, extractTo: String? = nil
    ) throws -> (InspectionReport, MessageInspector.Verdict) {
        let captured = try AS2Protocol.CapturedMessage(source: try FileByteSource(path: path))
        return MessageInspector.inspect(captured: captured, security: security, policy: policy, workDirectory: dir, extractTo: extractTo)
    }

    private func json(_ report: InspectionReport) throws -> [String: Any] {
        let data = try JSONEncoder().encode(report)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    // MARK: - messages

    func testInspectReportsEveryFieldOfAPyAS2LibMessage() async throws {
        let payload = MatrixPayload.binary.bytes
        try payload.write(to: URL(fileURLWithPath: dir + "/payload"))
        var build = InteropPeer.BuildRequest(payload: dir + "/payload", out: dir + "/message.cap", from: acme, to: globex)
        build.sign = .sha384
        build.encrypt = .aes192CBC
        build.compress = true
        build.contentType = "application/octet-stream"
        build.filename = "order 42.bin"
        build.subject = "Order 42"
        build.mdnMode = .sync
        build.mdnDigest = .sha256
        let built = try await peer.build(build)

        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        let (report, verdict) = try inspect(dir + "/message.cap", security: try security(), extractTo: dir + "/out")
        XCTAssertEqual(verdict, .valid, report.error ?? "")
        XCTAssertEqual(verdict.rawValue, 0)
        XCTAssertEqual(report.kind, "message")
        XCTAssertTrue(report.valid)
        XCTAssertEqual(report.messageID, "<\(built.messageID)>")
        XCTAssertEqual(report.as2From, "acme")
        XCTAssertEqual(report.as2To, "globex")
        XCTAssertEqual(report.subject, "Order 42")
        XCTAssertEqual(report.disposition, "automatic-action/MDN-sent-automatically; processed")
        XCTAssertNil(report.error)

        // Layers, outermost first, with the certificates the openssl CLI fingerprints.
        let acmeFingerprint = try OpenSSLCLI.sha256Fingerprint(certificatePEM: acme.certPEM)
        let globexFingerprint = try OpenSSLCLI.sha256Fingerprint(certificatePEM: globex.certPEM)
        XCTAssertEqual(report.layers.map(\.type), ["encrypted", "signed", "compressed"])
        let encrypted = try XCTUnwrap(report.layers.first)
        XCTAssertEqual(encrypted.algorithm, "aes192-cbc")
        XCTAssertEqual(encrypted.keyTransport, "rsa")
        XCTAssertEqual(encrypted.certificateSHA256?.uppercased(), globexFingerprint)
        XCTAssertEqual(encrypted.status, "decrypted")
        let signed = report.layers[1]
        XCTAssertEqual(signed.algorithm, "sha384")
        XCTAssertEqual(signed.scheme, "pkcs1v15")
        XCTAssertEqual(signed.certificateSHA256?.uppercased(), acmeFingerprint, "signer fingerprint")
        XCTAssertEqual(signed.status, "verified")
        XCTAssertEqual(report.layers[2].algorithm, "zlib")

        // The MIC the receipt would carry: sha256 (requested, R-MICALG-1) over the signed part.
        let mic = try XCTUnwrap(report.mic)
        XCTAssertEqual(DigestAlgorithm(micalg: mic.algorithm), .sha256)
        XCTAssertEqual(mic.digest, built.rfcMICs["sha256"])

        // Payload: size, SHA-256 (hex, as the openssl CLI computes it), names, extraction.
        let payloadInfo = try XCTUnwrap(report.payload)
        XCTAssertEqual(payloadInfo.size, payload.count)
        let sha256 = try XCTUnwrap(Data(base64Encoded: try OpenSSLCLI.digestBase64(payload, algorithm: "sha256")))
        XCTAssertEqual(payloadInfo.sha256, sha256.map { String(format: "%02x", $0) }.joined())
        XCTAssertEqual(payloadInfo.contentType, "application/octet-stream")
        XCTAssertEqual(payloadInfo.originalFilename, "order 42.bin")
        XCTAssertEqual(payloadInfo.filename, "order 42.bin")
        let extracted = try XCTUnwrap(payloadInfo.extractedTo)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: extracted)), payload)

        let requested = try XCTUnwrap(report.mdnRequested)
        XCTAssertEqual(requested.mode, "sync")
        XCTAssertTrue(requested.signed)
        XCTAssertEqual(requested.micalg, ["sha256"])

        // The JSON field names of docs (snake case).
        let object = try json(report)
        for key in ["kind", "valid", "message_id", "as2_from", "as2_to", "layers", "mic", "payload", "mdn_requested", "disposition"] {
            XCTAssertNotNil(object[key], "JSON has no \(key)")
        }
        let layers = try XCTUnwrap(object["layers"] as? [[String: Any]])
        XCTAssertEqual((layers[1]["certificate_sha256"] as? String)?.uppercased(), acmeFingerprint)
        XCTAssertEqual(layers[0]["key_transport"] as? String, "rsa")
        let payloadObject = try XCTUnwrap(object["payload"] as? [String: Any])
        XCTAssertEqual(payloadObject["sha256"] as? String, payloadInfo.sha256)
        XCTAssertEqual(payloadObject["original_filename"] as? String, "order 42.bin")
    }

    func testInspectOfAPlainPyAS2LibMessageUsesTheRFC4130MIC() async throws {
        try MatrixPayload.lfText.bytes.write(to: URL(fileURLWithPath: dir + "/payload"))
        var build = InteropPeer.BuildRequest(payload: dir + "/payload", out: dir + "/plain.cap", from: acme, to: globex)
        build.contentType = "application/edi-x12"
        build.filename = "../../etc/passwd"
        build.mdnMode = .sync
        let built = try await peer.build(build)
        let (report, verdict) = try inspect(dir + "/plain.cap", security: try security())
        XCTAssertEqual(verdict, .valid, report.error ?? "")
        XCTAssertEqual(report.layers.count, 0)
        XCTAssertEqual(report.mic?.digest, built.rfcMIC, "SHA-1 of the body only (acceptance case 1)")
        XCTAssertEqual(DigestAlgorithm(micalg: report.mic?.algorithm ?? ""), .sha1)
        XCTAssertEqual(report.payload?.contentType, "application/edi-x12")
        XCTAssertEqual(report.payload?.originalFilename, "../../etc/passwd")
        XCTAssertEqual(report.payload?.filename, "passwd")
        XCTAssertEqual(report.mdnRequested?.signed, false)
    }

    func testInspectVerdictsOnRefusedMessages() async throws {
        try MatrixPayload.binary.bytes.write(to: URL(fileURLWithPath: dir + "/payload"))
        var build = InteropPeer.BuildRequest(payload: dir + "/payload", out: dir + "/signed.cap", from: acme, to: globex)
        build.sign = .sha256
        build.contentType = "application/octet-stream"
        _ = try await peer.build(build)

        // Signed by acme, but only mallory is trusted.
        let (untrusted, untrustedVerdict) = try inspect(dir + "/signed.cap", security: try security(trusting: mallory))
        XCTAssertEqual(untrustedVerdict, .invalid)
        XCTAssertEqual(untrustedVerdict.rawValue, 1)
        XCTAssertFalse(untrusted.valid)
        XCTAssertEqual(untrusted.disposition, "automatic-action/MDN-sent-automatically; processed/error: authentication-failed")
        XCTAssertNotNil(untrusted.error)
        XCTAssertNil(untrusted.payload)

        // One payload byte flipped.
        let captured = try CapturedMessage.read(from: dir + "/signed.cap")
        var body = try captured.body()
        let marker = try XCTUnwrap(body.range(of: Data("Content-Transfer-Encoding: binary\r\n\r\n".utf8)))
        body[marker.upperBound + 7] ^= 0x04
        try body.write(to: URL(fileURLWithPath: dir + "/tampered.body"))
        try CapturedMessage(headers: captured.headers, bodyPath: dir + "/tampered.body").write(to: dir + "/tampered.cap")
        let (tampered, tamperedVerdict) = try inspect(dir + "/tampered.cap", security: try security())
        XCTAssertEqual(tamperedVerdict, .invalid)
        XCTAssertEqual(tampered.disposition, "automatic-action/MDN-sent-automatically; processed/error: integrity-check-failed")

        // Policy: the same message, unencrypted, against a policy that requires encryption.
        let (weak, weakVerdict) = try inspect(dir + "/signed.cap", security: try security(), policy: InboundPolicy())
        XCTAssertEqual(weakVerdict, .invalid)
        XCTAssertEqual(weak.disposition, "automatic-action/MDN-sent-automatically; processed/error: insufficient-message-security")
        XCTAssertEqual(weak.layers.map(\.type), ["signed"])
    }

    // MARK: - MDNs

    /// Our message from acme to globex, received by pyas2lib; returns its MDN's path and our message.
    private func pyas2libMDN(_ name: String, signedMDN: Bool, tamper: Bool = false) async throws -> (String, PreparedMessage) {
        let options = OutboundMessageOptions(
            as2From: try AS2Name("acme"), as2To: try AS2Name("globex"), messageID: MessageID.generate(domain: "acme.test"),
            filename: "\(name).dat", signature: .sha256, encryption: .aes256CBC,
            mdn: MDNRequest(signingDigest: signedMDN ? .sha256 : nil))
        let message = try MessageBuilder.build(
            payload: MemoryByteSource([UInt8](MatrixPayload.binary.bytes)), options: options, signer: try acme.identity(),
            recipients: [try globex.certificate()], workDirectory: dir)
        let path = dir + "/\(name).cap"
        try CapturedFile.write(headers: message.headers, body: message.body, to: path)
        var parse = InteropPeer.ParseRequest(message: path, receiver: globex, sender: tamper ? mallory : acme, mdnOut: dir + "/\(name).mdn")
        parse.signRequired = true
        let parsed = try await peer.parse(parse)
        XCTAssertEqual(parsed.isProcessed, !tamper, "\(name): \(parsed.disposition)")
        return (dir + "/\(name).mdn", message)
    }

    func testInspectReadsPyAS2LibReceipts() async throws {
        // Positive, signed.
        let (positivePath, message) = try await pyas2libMDN("positive", signedMDN: true)
        let (positive, positiveVerdict) = try inspect(positivePath, security: try security(trusting: globex))
        XCTAssertEqual(positiveVerdict, .valid, positive.error ?? "")
        XCTAssertEqual(positive.kind, "mdn")
        XCTAssertTrue(positive.valid)
        XCTAssertEqual(positive.signed, true)
        XCTAssertEqual(positive.positive, true)
        XCTAssertEqual(positive.disposition, "automatic-action/MDN-sent-automatically; processed")
        XCTAssertEqual(MessageID.normalizedKey(positive.originalMessageID ?? ""), MessageID.normalizedKey(message.messageID))
        XCTAssertEqual(positive.as2From, "globex")
        XCTAssertEqual(positive.as2To, "acme")
        XCTAssertEqual(positive.mic?.digest, message.primaryMIC?.base64, "pyas2lib's Received-Content-MIC")
        XCTAssertEqual(DigestAlgorithm(micalg: positive.mic?.algorithm ?? ""), .sha256)
        XCTAssertEqual(positive.layers.map(\.type), ["signed"])
        XCTAssertEqual(positive.layers.first?.status, "verified")
        XCTAssertEqual(
            positive.layers.first?.certificateSHA256?.uppercased(), try OpenSSLCLI.sha256Fingerprint(certificatePEM: globex.certPEM))

        // The same receipt checked against the wrong partner certificate.
        let (forged, forgedVerdict) = try inspect(positivePath, security: try security(trusting: mallory))
        XCTAssertEqual(forgedVerdict, .invalid)
        XCTAssertFalse(forged.valid)
        XCTAssertNotNil(forged.error)

        // Unsigned positive receipt: valid, with a note.
        let (unsignedPath, _) = try await pyas2libMDN("unsigned", signedMDN: false)
        let (unsigned, unsignedVerdict) = try inspect(unsignedPath, security: try security(trusting: globex))
        XCTAssertEqual(unsignedVerdict, .valid, unsigned.error ?? "")
        XCTAssertEqual(unsigned.signed, false)
        XCTAssertFalse(unsigned.notes.isEmpty)

        // Negative: pyas2lib trusts mallory for acme, so our signature fails there.
        let (negativePath, _) = try await pyas2libMDN("negative", signedMDN: true, tamper: true)
        let (negative, negativeVerdict) = try inspect(negativePath, security: try security(trusting: globex))
        XCTAssertEqual(negativeVerdict, .negativeReceipt)
        XCTAssertEqual(negativeVerdict.rawValue, 2)
        XCTAssertTrue(negative.valid)
        XCTAssertEqual(negative.positive, false)
        XCTAssertEqual(negative.disposition?.lowercased(), "automatic-action/mdn-sent-automatically; processed/error: authentication-failed")
        XCTAssertNil(negative.mic)
    }
}
