import AS2Bytes
import AS2Crypto
import AS2Protocol
import Foundation

/// Direction B of the interop matrix for one test: pyas2lib (or `build_raw`) sends as acme, our
/// `MessageUnpacker` receives as globex. Immutable, so concurrent cases share it.
struct InboundMatrix: Sendable {
    let acme: TestParty
    let globex: TestParty
    let security: InboundSecurity
    let receiver: Identity
    let directory: String
    let peer = InteropPeer.shared

    init() throws {
        acme = try TestPKI.shared.party("acme")
        globex = try TestPKI.shared.party("globex")
        receiver = try globex.identity()
        security = InboundSecurity(decryptionIdentities: [receiver], partnerCertificates: [try acme.certificate()])
        directory = try InteropEnvironment.makeTemporaryDirectory("matrix-in").path
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// pyas2lib (as acme) builds the case's message, or `build_raw` when the signature sits inside
    /// the compression; we receive it as globex and answer with our MDN, which pyas2lib checks.
    func run(_ c: MatrixCase, _ check: inout CaseCheck) async throws {
        let dir = directory + "/" + c.slug
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let payloadPath = dir + "/payload.in"
        try c.payload.bytes.write(to: URL(fileURLWithPath: payloadPath))
        let messagePath = dir + "/message.cap"

        // What the sender wrapped, and the MIC it expects back (requirements §3.2).
        let wrapped: Data
        let senderMIC: String
        let senderMICAlgorithm: String
        let expectation: InteropPeer.Expectation?
        if c.compression == .afterSigning && c.sign != nil {
            var layers = [InteropPeer.RawLayer.sign, .compress]
            if c.encrypt != nil { layers.append(.encrypt) }
            var raw = InteropPeer.RawBuildRequest(payload: payloadPath, out: messagePath, from: acme, to: globex, layers: layers)
            raw.digest = c.sign
            raw.cipher = c.encrypt
            raw.contentType = c.payload.contentType
            raw.filename = "\(c.slug).dat"
            raw.mdnMode = .sync
            raw.mdnDigest = c.mdnDigestAlgorithm?.micalgName
            let built = try await peer.buildRaw(raw)
            wrapped = c.payload.bytes
            senderMIC = built.mic
            senderMICAlgorithm = built.micAlgorithm
            expectation = InteropPeer.Expectation(mic: built.mic, mdnDigest: c.mdnDigest, partnerCert: globex.certPEM, as2To: "globex")
        } else {
            var build = InteropPeer.BuildRequest(payload: payloadPath, out: messagePath, from: acme, to: globex)
            build.sign = c.sign
            build.encrypt = c.encrypt
            build.compress = c.compression != .none
            build.mdnMode = .sync
            build.mdnDigest = c.mdnDigest
            build.contentType = c.payload.contentType
            build.filename = "\(c.slug).dat"
            let built = try await peer.build(build)
            if c.sign != nil { check.equal(built.mic, built.rfcMIC, "pyas2lib's own MIC vs the RFC MIC of what it wrapped") }
            // pyas2lib turns bare LF into CRLF in text types when it serializes the payload entity
            // into a layer; a plain message's body is the payload as given.
            let layered = c.sign != nil || c.encrypt != nil || c.compression != .none
            wrapped = c.payload.isText && layered ? c.payload.crlfBytes : c.payload.bytes
            senderMIC = built.rfcMIC
            senderMICAlgorithm = built.rfcMICAlgorithm
            expectation = nil
        }

        let (headers, body) = try CapturedFile.read(messagePath)
        let request = try InboundRequest(headers: headers)
        check.equal(request.mdnRequest?.signedReceiptRequested, c.signedMDN, "signed receipt requested")
        let policy = InboundPolicy(
            requireSignature: c.sign != nil, requireEncryption: c.encrypt != nil,
            minimumSignatureDigest: .sha1, minimumEncryption: .tripleDES)
        let result = MessageUnpacker.unpack(request: request, body: body, security: security, policy: policy, workDirectory: dir)
        guard case let .accepted(message) = result else {
            if case let .rejected(rejection) = result {
                check.fail("rejected: \(rejection.disposition.headerValue): \(rejection.reason)")
            }
            return
        }
        let payload = Data(try message.payload.readAll(limit: 64 << 20))
        check.expect(payload == wrapped, "payload not byte-identical: \(payload.count) bytes unpacked, \(wrapped.count) wrapped")
        check.equal(message.layers.map(\.name), c.expectedLayers, "layers unpacked")
        check.equal(message.filename, "\(c.slug).dat", "filename")
        check.equal(Data(message.mic.digest).base64EncodedString(), senderMIC, "MIC digest")
        check.equal(message.mic.algorithm, DigestAlgorithm(micalg: senderMICAlgorithm), "MIC algorithm")
        if let signature = message.layers.signature {
            check.equal(signature.digest, c.digest, "signature digest")
        }
        if let encryption = message.layers.encryption {
            check.equal(encryption.algorithm, c.cipher, "content encryption")
        }

        // Our receipt, checked by pyas2lib as the sender.
        guard let mdnRequest = request.mdnRequest else {
            check.fail("no MDN requested in pyas2lib's message")
            return
        }
        let signingDigest = mdnRequest.signingDigest
        check.equal(signingDigest, c.mdnDigestAlgorithm, "MDN signing digest")
        let report = MDNBuilder.report(for: request, disposition: .processed, mic: message.mic, reason: nil)
        let mdn = try MDNBuilder.build(
            report: report, from: request.as2To, to: request.as2From, messageID: MessageID.generate(domain: "globex.test"),
            signer: signingDigest == nil ? nil : receiver, digest: signingDigest)
        let mdnPath = dir + "/mdn.cap"
        try CapturedFile.write(headers: mdn.headers, body: MemoryByteSource(mdn.body), to: mdnPath)
        let receipt = try await peer.parseMDN(.init(mdn: mdnPath, expect: expectation))
        check.equal(receipt.status, "processed", "pyas2lib status of our MDN (\(receipt.detailedStatus ?? ""))")
        check.expect(receipt.messageFound, "pyas2lib did not find the original message")
        check.equal(receipt.signed, c.signedMDN, "our MDN signed")
        check.equal(receipt.signatureVerified, c.signedMDN, "pyas2lib verified our MDN signature")
        // pyas2lib keeps a MIC only for signed messages; build_raw's expectation always has one.
        let senderHasMIC = expectation != nil || c.sign != nil
        check.equal(receipt.micMatched, senderHasMIC ? true : nil, "pyas2lib matched our MIC (\(receipt.receivedMIC ?? "none"))")
        if !senderHasMIC {
            check.equal(receipt.receivedMIC, senderMIC, "our MIC vs the RFC MIC of what pyas2lib wrapped")
        }
    }
}
