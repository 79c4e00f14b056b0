import AS2Bytes
import AS2Crypto
import AS2Protocol
import Foundation

/// Direction A of the interop matrix for one test: our `MessageBuilder` sends as acme, pyas2lib
/// receives as globex. Immutable, so concurrent cases share it.
struct OutboundMatrix: Sendable {
    let acme: TestParty
    let globex: TestParty
    let signer: Identity
    let partnerCertificate: Certificate
    let directory: String
    let peer = InteropPeer.shared

    init() throws {
        acme = try TestPKI.shared.party("acme")
        globex = try TestPKI.shared.party("globex")
        signer = try acme.identity()
        partnerCertificate = try globex.certificate()
        directory = try InteropEnvironment.makeTemporaryDirectory("matrix-out").path
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Builds the case's message as acme for globex, lets pyas2lib (as globex) receive it, and
    /// checks the payload, the MIC and pyas2lib's MDN.
    func run(_ c: MatrixCase, _ check: inout CaseCheck) async throws {
        let dir = directory + "/" + c.slug
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let payload = c.payload.bytes

        let options = OutboundMessageOptions(
            as2From: try AS2Name("acme"), as2To: try AS2Name("globex"), messageID: MessageID.generate(domain: "acme.test"),
            subject: "matrix \(c.slug)", contentType: c.payload.contentType, filename: "\(c.slug).dat",
            signature: c.digest, encryption: c.cipher, compression: c.compression,
            mdn: MDNRequest(signingDigest: c.mdnDigestAlgorithm)
        )
        let message = try MessageBuilder.build(
            payload: MemoryByteSource([UInt8](payload)), options: options, signer: signer,
            recipients: [partnerCertificate], workDirectory: dir)
        check.equal(message.layers.map(\.name), c.expectedLayers, "layers built")
        try CapturedFile.write(headers: message.headers, body: message.body, to: dir + "/message.cap")

        var request = InteropPeer.ParseRequest(
            message: dir + "/message.cap", receiver: globex, sender: acme, payloadOut: dir + "/payload",
            mdnOut: dir + "/mdn.cap")
        request.signRequired = c.sign != nil
        request.encryptRequired = c.encrypt != nil
        let parsed = try await peer.parse(request)
        guard parsed.isProcessed else {
            check.fail("pyas2lib did not process it: \(parsed.disposition) \(parsed.exception ?? "")")
            return
        }
        check.equal(parsed.signed, c.sign != nil, "pyas2lib saw a signature")
        check.equal(parsed.encrypted, c.encrypt != nil, "pyas2lib saw encryption")
        check.equal(parsed.compressed, c.compression != .none, "pyas2lib saw compression")
        check.equal(parsed.filename, "\(c.slug).dat", "filename")
        check.equal(parsed.contentType, c.payload.contentType, "content type")
        let received = (try? Data(contentsOf: URL(fileURLWithPath: dir + "/payload"))) ?? Data()
        check.expect(received == payload, "payload not byte-identical: \(received.count) bytes received, \(payload.count) sent")

        // pyas2lib computes a MIC only for signed messages: over the first part, with the signing digest.
        if c.sign != nil {
            if let mic = parsed.mic, let name = parsed.micAlgorithm, let algorithm = DigestAlgorithm(micalg: name) {
                let ours = message.expectedMICs.filter { $0.algorithm == algorithm }.map(\.base64)
                check.expect(ours.contains(mic), "pyas2lib MIC \(mic), \(name) is not among ours \(ours)")
                check.equal(algorithm, c.digest, "pyas2lib MIC algorithm")
            } else {
                check.fail("pyas2lib computed no usable MIC (\(parsed.mic ?? "nil"), \(parsed.micAlgorithm ?? "nil"))")
            }
        } else {
            check.equal(parsed.mic, nil, "pyas2lib MIC of an unsigned message")
            // pyas2lib has no MIC to compare: recover the MIC input with the openssl CLI and the
            // peer's decompressor instead (requirements §3.2), and check our primary MIC over it.
            let input = try await unsignedMICInput(c, message: message, payload: payload, in: dir)
            let algorithm = c.mdnDigestAlgorithm ?? .sha1
            let expected = Data(try Digest.compute(algorithm, over: MemoryByteSource([UInt8](input)))).base64EncodedString()
            check.equal(message.primaryMIC?.base64, expected, "primary MIC of an unsigned message")
            check.equal(message.primaryMIC?.algorithm, algorithm, "primary MIC algorithm")
        }

        // pyas2lib's MDN, checked the way our sender checks receipts.
        guard let summary = parsed.mdn else {
            check.fail("pyas2lib built no MDN")
            return
        }
        check.equal(summary.signed, c.signedMDN, "MDN signed")
        let (headers, body) = try CapturedFile.read(dir + "/mdn.cap")
        let mdn = try MDNParser.parse(headers: headers, body: body, trusted: [partnerCertificate])
        check.equal(mdn.isSigned, c.signedMDN, "MDNParser: signed")
        if c.signedMDN {
            check.expect(mdn.signatureVerified, "MDN signature does not verify with globex's certificate: \(String(describing: mdn.signature))")
        }
        let evaluation = MDNEvaluator.evaluate(
            mdn,
            expecting: MDNExpectation(
                messageID: message.messageID, ourID: try AS2Name("acme"), partnerID: try AS2Name("globex"),
                expectedMICs: message.expectedMICs, signedReceiptRequested: c.signedMDN))
        check.equal(evaluation.verdict, .delivered, "MDNEvaluator verdict")
        check.equal(evaluation.micMatched, c.sign != nil ? true : nil, "MIC matched")
        check.equal(evaluation.notes.filter { $0.contains("AS2-") }, [], "AS2 id notes")
    }

    /// The bytes requirements §3.2 hashes for an unsigned message, recovered without our code:
    /// the payload itself for a plain message, else the entity inside the envelope and/or the
    /// compressed data (headers included).
    private func unsignedMICInput(_ c: MatrixCase, message: PreparedMessage, payload: Data, in dir: String) async throws -> Data {
        if c.encrypt == nil && c.compression == .none { return payload }
        var entity = Data(try message.body.readAll(limit: 64 << 20))
        if c.encrypt != nil { entity = try OpenSSLCLI.decrypt(entity, recipient: globex) }
        if c.compression != .none {
            // Without encryption the compressed entity's headers are the HTTP headers: the body is the DER.
            try entity.write(to: URL(fileURLWithPath: dir + "/compressed"))
            _ = try await peer.decompress(input: dir + "/compressed", out: dir + "/decompressed", entity: c.encrypt != nil)
            entity = try Data(contentsOf: URL(fileURLWithPath: dir + "/decompressed"))
        }
        return entity
    }
}
