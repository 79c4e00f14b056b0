import AS2Bytes
import AS2Crypto
import AS2Protocol
import Foundation
import XCTest

/// Interop shapes beyond the matrix (requirements §7): AES-GCM AuthEnvelopedData with RSA-OAEP
/// (case 9), GCM inside EnvelopedData as Mendelson sends it (case 10), RSASSA-PSS (case 11),
/// micalg spellings (cases 13, 49) and base64 transfer encodings (case 23), each at message level.
final class InteropShapesTests: XCTestCase {
    private var acme: TestParty!
    private var globex: TestParty!
    private var dir: String!
    private var security: InboundSecurity!
    private let peer = InteropPeer.shared
    /// Accepts any algorithm that verifies: these tests are about shapes, not policy.
    private let policy = InboundPolicy(
        requireSignature: false, requireEncryption: false, minimumSignatureDigest: .sha1, minimumEncryption: .tripleDES)

    override func setUp() async throws {
        acme = try TestPKI.shared.party("acme")
        globex = try TestPKI.shared.party("globex")
        dir = try InteropEnvironment.makeTemporaryDirectory("interop-shapes").path
        security = InboundSecurity(decryptionIdentities: [try globex.identity()], partnerCertificates: [try acme.certificate()])
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func payloadFile(_ payload: MatrixPayload = .binary) throws -> String {
        let path = dir + "/payload-\(payload.rawValue)"
        try payload.bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `build_raw` from acme to globex with a sync MDN request for SHA-256.
    private func buildRaw(
        _ name: String, _ layers: [InteropPeer.RawLayer], configure: (inout InteropPeer.RawBuildRequest) -> Void = { _ in }
    ) async throws -> (InteropPeer.RawBuildResult, String) {
        let out = dir + "/\(name).cap"
        var request = InteropPeer.RawBuildRequest(payload: try payloadFile(), out: out, from: acme, to: globex, layers: layers)
        request.filename = "\(name).dat"
        request.mdnMode = .sync
        request.mdnDigest = "sha-256"
        configure(&request)
        return (try await peer.buildRaw(request), out)
    }

    private func unpack(_ path: String, policy: InboundPolicy? = nil) throws -> (InboundRequest, UnpackResult) {
        let (headers, body) = try CapturedFile.read(path)
        let request = try InboundRequest(headers: headers)
        return (request, MessageUnpacker.unpack(request: request, body: body, security: security, policy: policy ?? self.policy, workDirectory: dir))
    }

    private func accepted(_ result: UnpackResult, file: StaticString = #filePath, line: UInt = #line) throws -> UnpackedMessage {
        switch result {
        case let .accepted(message): return message
        case let .rejected(rejection):
            XCTFail("rejected: \(rejection.disposition.headerValue): \(rejection.reason)", file: file, line: line)
            throw rejection
        }
    }

    /// Our signed receipt for `message`, checked by pyas2lib as the sender of a `build_raw` message.
    private func assertPyAS2LibAcceptsOurReceipt(
        _ request: InboundRequest, _ message: UnpackedMessage, senderMIC: String, file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let report = MDNBuilder.report(for: request, disposition: .processed, mic: message.mic, reason: nil)
        let mdn = try MDNBuilder.build(
            report: report, from: request.as2To, to: request.as2From, messageID: MessageID.generate(domain: "globex.test"),
            signer: try globex.identity(), digest: request.mdnRequest?.signingDigest)
        let path = dir + "/mdn-\(UUID().uuidString).cap"
        try CapturedFile.write(headers: mdn.headers, body: MemoryByteSource(mdn.body), to: path)
        let receipt = try await peer.parseMDN(
            .init(mdn: path, expect: .init(mic: senderMIC, mdnDigest: .sha256, partnerCert: globex.certPEM, as2To: "globex")))
        XCTAssertEqual(receipt.status, "processed", receipt.detailedStatus ?? "", file: file, line: line)
        XCTAssertTrue(receipt.signatureVerified, file: file, line: line)
        XCTAssertEqual(receipt.micMatched, true, file: file, line: line)
    }

    // MARK: - case 9: AES-GCM AuthEnvelopedData, RSA-OAEP

    func testGCMAuthEnvelopedDataWithOAEPIsProcessed() async throws {
        for cipher in [PeerCipher.aes128GCM, .aes256GCM] {
            for keyEncryption in [PeerKeyEncryption.oaep, .pkcs1v15] {
                var encrypt = InteropPeer.RawLayer.encrypt
                encrypt.cipher = cipher
                encrypt.keyEncryption = keyEncryption
                let (built, path) = try await buildRaw("gcm-\(cipher.rawValue)-\(keyEncryption.rawValue)", [.sign, encrypt])
                let (headers, _) = try CapturedFile.read(path)
                XCTAssertTrue(headers.contains { $0.1.contains("smime-type=authEnveloped-data") })
                let (request, result) = try unpack(path)
                let message = try accepted(result)
                XCTAssertEqual(Data(try message.payload.readAll()), MatrixPayload.binary.bytes)
                XCTAssertEqual(message.layers.encryption?.algorithm, cipher.algorithm)
                XCTAssertEqual(message.layers.encryption?.keyTransport, keyEncryption == .oaep ? .rsaOAEP : .rsaPKCS1v15)
                XCTAssertEqual(Data(message.mic.digest).base64EncodedString(), built.mic)
                try await assertPyAS2LibAcceptsOurReceipt(request, message, senderMIC: built.mic)
            }
        }
    }

    func testPyAS2LibOAEPWithoutParametersIsReadWithTheRFC4055Defaults() async throws {
        // pyas2lib 1.4.4 writes id-RSAES-OAEP with the parameters absent; RFC 4055 §4.1 requires them
        // in an encrypted value's AlgorithmIdentifier and the openssl CLI will not unwrap the key. We
        // read them as the defaults (SHA-1, MGF1-SHA-1) the sender used. Several runs: a key that did
        // not unwrap once slipped through as random-key garbage (about 1 in 256).
        for run in 0..<4 {
            var build = InteropPeer.BuildRequest(payload: try payloadFile(), out: dir + "/oaep-\(run).cap", from: acme, to: globex)
            build.sign = .sha256
            build.encrypt = .aes256CBC
            build.keyEncryption = .oaep
            build.contentType = "application/octet-stream"
            build.mdnMode = .sync
            build.mdnDigest = .sha256
            let built = try await peer.build(build)
            let body = try CapturedMessage.read(from: dir + "/oaep-\(run).cap").body()
            if run == 0 {
                let printed = try OpenSSLCLI.printCMS(body)
                XCTAssertTrue(printed.contains("rsaesOaep"), printed)
                XCTAssertFalse(try OpenSSLCLI.decryptOutcome(body, recipient: globex).succeeded, "the openssl CLI refuses it")
            }
            let (request, result) = try unpack(dir + "/oaep-\(run).cap")
            let message = try accepted(result)
            XCTAssertEqual(message.layers.encryption?.keyTransport, .rsaOAEP)
            XCTAssertEqual(Data(try message.payload.readAll()), try Data(contentsOf: URL(fileURLWithPath: try payloadFile())))
            try await assertPyAS2LibAcceptsOurReceipt(request, message, senderMIC: try XCTUnwrap(built.mic))
        }
    }

    func testOurOAEPAndPSSMessagesAreReceivedByPyAS2Lib() async throws {
        for (scheme, keyTransport) in [(SignatureScheme.rsaPSS, KeyTransportAlgorithm.rsaPKCS1v15), (.rsaPKCS1v15, .rsaOAEP), (.rsaPSS, .rsaOAEP)] {
            let name = "ours-\(scheme.rawValue)-\(keyTransport.rawValue)"
            var options = OutboundMessageOptions(
                as2From: try AS2Name("acme"), as2To: try AS2Name("globex"), messageID: MessageID.generate(domain: "acme.test"),
                filename: "\(name).dat", signature: .sha256, encryption: .aes256CBC, mdn: MDNRequest(signingDigest: .sha256))
            options.signatureScheme = scheme
            options.keyTransport = keyTransport
            let message = try MessageBuilder.build(
                payload: MemoryByteSource([UInt8](MatrixPayload.binary.bytes)), options: options, signer: try acme.identity(),
                recipients: [try globex.certificate()], workDirectory: dir)
            try CapturedFile.write(headers: message.headers, body: message.body, to: dir + "/\(name).cap")
            let parsed = try await peer.parse(
                .init(message: dir + "/\(name).cap", receiver: globex, sender: acme, payloadOut: dir + "/\(name).out"))
            XCTAssertEqual(parsed.status, "processed", "\(name): \(parsed.exception ?? "")")
            XCTAssertEqual(try? Data(contentsOf: URL(fileURLWithPath: dir + "/\(name).out")), MatrixPayload.binary.bytes, name)
            XCTAssertTrue(message.expectedMICs.contains { $0.base64 == parsed.mic }, "\(name): pyas2lib MIC \(parsed.mic ?? "nil")")
        }
    }

    // MARK: - case 10: GCM inside EnvelopedData (Mendelson)

    func testGCMInsideEnvelopedDataIsProcessedAndItsTagChecked() throws {
        let payload = MatrixPayload.binary.bytes
        let entity = Data("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n".utf8) + payload
        for bits in [128, 256] {
            let der = try MendelsonEnvelope.gcmInEnvelopedData(content: entity, recipientPEM: globex.certPEM, keyBits: bits)
            let printed = try OpenSSLCLI.printCMS(der)
            XCTAssertTrue(printed.contains("pkcs7-envelopedData") && printed.contains("aes-\(bits)-gcm"), printed)
            var badTag = der
            badTag[badTag.count - 1] ^= 0x01  // the last byte of the encrypted content: the GCM tag
            for (name, body) in [("intact", der), ("tag altered", badTag)] {
                let headers = [
                    ("AS2-Version", "1.2"), ("AS2-From", "acme"), ("AS2-To", "globex"),
                    ("Message-ID", "<mendelson-gcm-\(bits)-\(name.count)@acme.test>"),
                    ("Content-Type", "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m"),
                    ("Disposition-Notification-To", "acme@acme.test"),
                ]
                let request = try InboundRequest(headers: headers)
                let result = MessageUnpacker.unpack(
                    request: request, body: MemoryByteSource([UInt8](body)), security: security, policy: policy, workDirectory: dir)
                switch (name, result) {
                case let ("intact", .accepted(message)):
                    XCTAssertEqual(Data(try message.payload.readAll()), payload, "AES-\(bits)-GCM in EnvelopedData")
                    XCTAssertEqual(message.layers.encryption?.algorithm, bits == 128 ? .aes128GCM : .aes256GCM)
                    XCTAssertEqual(Data(message.mic.digest), Data(try Digest.compute(.sha1, over: MemoryByteSource([UInt8](entity)))))
                case let ("tag altered", .rejected(rejection)):
                    XCTAssertEqual(rejection.disposition, DispositionError.decryptionFailed.disposition, rejection.reason)
                default:
                    XCTFail("AES-\(bits)-GCM in EnvelopedData, \(name): \(result.disposition.headerValue)")
                }
            }
        }
    }

    // MARK: - case 11: RSASSA-PSS

    func testPSSSignaturesFromOpenSSLVerify() async throws {
        for digest in [PeerDigest.sha256, .sha384, .sha512] {
            var sign = InteropPeer.RawLayer.sign
            sign.digest = digest
            sign.signatureScheme = .pss
            let (raw, path) = try await buildRaw("pss-\(digest.rawValue)", [sign, .encrypt])
            let (request, result) = try unpack(path)
            let message = try accepted(result)
            XCTAssertEqual(message.layers.signature?.scheme, .rsaPSS, "\(digest)")
            XCTAssertEqual(message.layers.signature?.digest, digest.algorithm)
            // sha-256 was requested for the receipt: R-MICALG-1 takes it whatever the signing digest.
            XCTAssertEqual(Data(message.mic.digest).base64EncodedString(), raw.mics["sha256"])
            try await assertPyAS2LibAcceptsOurReceipt(request, message, senderMIC: raw.mics["sha256"] ?? "")
        }
    }

    func testPyAS2LibPSSWithoutParametersIsRefusedAsOpenSSLRefusesIt() async throws {
        // pyas2lib 1.4.4 writes id-RSASSA-PSS with the parameters absent (meaning SHA-1 and salt 20)
        // but signs with its SHA-256 parameters; OpenSSL rejects the SignerInfo ("invalid pss parameters").
        var build = InteropPeer.BuildRequest(payload: try payloadFile(), out: dir + "/pss.cap", from: acme, to: globex)
        build.sign = .sha256
        build.signatureScheme = .pss
        build.contentType = "application/octet-stream"
        _ = try await peer.build(build)
        let captured = try CapturedMessage.read(from: dir + "/pss.cap")
        let (first, signaturePart) = try MIMEBytes.splitMultipart(
            try captured.body(), boundary: try MIMEBytes.boundary(of: captured.header("Content-Type") ?? ""))
        let signature = try MIMEBytes.base64Body(of: signaturePart)
        XCTAssertTrue(try OpenSSLCLI.printCMS(signature).contains("rsassaPss"))
        XCTAssertFalse(try OpenSSLCLI.verify(content: first, signature: signature, trusting: acme.certPEM).succeeded, "the openssl CLI refuses it too")
        let (_, result) = try unpack(dir + "/pss.cap")
        guard case let .rejected(rejection) = result else { return XCTFail("pyas2lib's PSS signature was accepted") }
        XCTAssertEqual(rejection.disposition, DispositionError.authenticationFailed.disposition, rejection.reason)
    }

    // MARK: - cases 13 and 49: micalg spellings

    func testEveryMicalgSpellingVerifiesAndTheSignerInfoDecides() async throws {
        let spellings: [(PeerDigest, String, Bool)] = [
            (.sha1, "SHA1", true), (.sha1, "sha1", true), (.sha1, "rsa-sha1", true), (.sha1, "sha-1", true),
            (.sha256, "sha256", true), (.sha256, "SHA-256", true), (.sha256, "sha_256", true), (.sha256, "sha2_256", true),
            (.sha256, "rsa-sha256", true), (.sha384, "sha-384", true), (.sha512, "SHA512", true),
            // Unknown or wrong labels: the SignerInfo's digest algorithm is authoritative (R-MS-2).
            (.sha256, "foo", false), (.sha256, "sha3-256", false), (.sha256, "sha-512", true),
        ]
        for (index, (digest, micalg, known)) in spellings.enumerated() {
            var sign = InteropPeer.RawLayer.sign
            sign.digest = digest
            sign.micalg = micalg
            let (built, path) = try await buildRaw("micalg-\(index)", [sign]) { $0.mdnDigest = nil }
            let (headers, _) = try CapturedFile.read(path)
            XCTAssertTrue(headers.contains { $0.1.contains("micalg=\(micalg);") }, "\(micalg): \(headers)")
            let (_, result) = try unpack(path)
            let message = try accepted(result)
            XCTAssertEqual(message.layers.signature?.digest, digest.algorithm, micalg)
            XCTAssertEqual(message.mic.algorithm, digest.algorithm, micalg)
            XCTAssertEqual(Data(message.mic.digest).base64EncodedString(), built.mic, micalg)
            XCTAssertEqual(message.notes.contains { $0.contains("unknown micalg") }, !known, "\(micalg): \(message.notes)")
        }
    }

    // MARK: - R-MICALG-1: a receipt micalg other than the signing digest

    func testRequestedMicalgOtherThanTheSigningDigest() async throws {
        // pyas2lib sends: signed with SHA-1, receipt requested with sha256. We follow R-MICALG-1
        // (the requested algorithm, requirements §8.2); pyas2lib compares only the base64 text
        // with its SHA-1 MIC, so it flags our receipt as a MIC mismatch (processed/warning).
        var build = InteropPeer.BuildRequest(payload: try payloadFile(), out: dir + "/micalg-differs.cap", from: acme, to: globex)
        build.sign = .sha1
        build.mdnMode = .sync
        build.mdnDigest = .sha256
        build.contentType = "application/octet-stream"
        let built = try await peer.build(build)
        let (request, result) = try unpack(dir + "/micalg-differs.cap")
        let message = try accepted(result)
        XCTAssertEqual(message.mic.algorithm, .sha256)
        XCTAssertEqual(Data(message.mic.digest).base64EncodedString(), built.rfcMICs["sha256"])
        let report = MDNBuilder.report(for: request, disposition: .processed, mic: message.mic, reason: nil)
        let mdn = try MDNBuilder.build(
            report: report, from: request.as2To, to: request.as2From, messageID: MessageID.generate(domain: "globex.test"),
            signer: try globex.identity(), digest: request.mdnRequest?.signingDigest)
        try CapturedFile.write(headers: mdn.headers, body: MemoryByteSource(mdn.body), to: dir + "/micalg-differs.mdn")
        let receipt = try await peer.parseMDN(.init(mdn: dir + "/micalg-differs.mdn"))
        XCTAssertTrue(receipt.signatureVerified)
        XCTAssertEqual(receipt.status, "processed/warning", "pyas2lib expects the SHA-1 MIC \(built.mic ?? "nil")")
        XCTAssertEqual(receipt.micMatched, false)

        // We send the same shape: pyas2lib answers with the SHA-1 MIC, which we stored too (R-MICALG-3).
        let options = OutboundMessageOptions(
            as2From: try AS2Name("acme"), as2To: try AS2Name("globex"), messageID: MessageID.generate(domain: "acme.test"),
            signature: .sha1, encryption: nil, mdn: MDNRequest(signingDigest: .sha256))
        let ours = try MessageBuilder.build(
            payload: MemoryByteSource([UInt8](MatrixPayload.binary.bytes)), options: options, signer: try acme.identity(),
            recipients: [], workDirectory: dir)
        try CapturedFile.write(headers: ours.headers, body: ours.body, to: dir + "/ours-sha1.cap")
        _ = try await peer.parse(.init(message: dir + "/ours-sha1.cap", receiver: globex, sender: acme, mdnOut: dir + "/ours-sha1.mdn"))
        let (mdnHeaders, mdnBody) = try CapturedFile.read(dir + "/ours-sha1.mdn")
        let parsed = try MDNParser.parse(headers: mdnHeaders, body: mdnBody, trusted: [try globex.certificate()])
        XCTAssertEqual(parsed.report.receivedContentMIC?.algorithm, .sha1)
        let evaluation = MDNEvaluator.evaluate(
            parsed,
            expecting: MDNExpectation(
                messageID: ours.messageID, ourID: try AS2Name("acme"), partnerID: try AS2Name("globex"),
                expectedMICs: ours.expectedMICs, signedReceiptRequested: true))
        XCTAssertEqual(evaluation.verdict, .delivered)
        XCTAssertEqual(evaluation.matchedMIC?.algorithm, .sha1)
    }

    // MARK: - case 20: quoted AS2 names

    func testQuotedAS2NamesCrossBothWays() async throws {
        let partnerName = "ACME Corp \"EU\""
        let ourName = "Globex HQ"
        // pyas2lib sends: it quotes names with spaces or quotes; we decode them and answer swapped.
        var build = InteropPeer.BuildRequest(payload: try payloadFile(), out: dir + "/quoted.cap", from: acme, to: globex)
        build.as2From = partnerName
        build.as2To = ourName
        build.sign = .sha256
        build.mdnMode = .sync
        build.mdnDigest = .sha256
        build.contentType = "application/octet-stream"
        let built = try await peer.build(build)
        let (request, result) = try unpack(dir + "/quoted.cap")
        XCTAssertEqual(request.as2From.value, partnerName)
        XCTAssertEqual(request.as2To.value, ourName)
        let message = try accepted(result)
        let report = MDNBuilder.report(for: request, disposition: .processed, mic: message.mic, reason: nil)
        let mdn = try MDNBuilder.build(
            report: report, from: request.as2To, to: request.as2From, messageID: MessageID.generate(domain: "globex.test"),
            signer: try globex.identity(), digest: .sha256)
        try CapturedFile.write(headers: mdn.headers, body: MemoryByteSource(mdn.body), to: dir + "/quoted.mdn")
        let receipt = try await peer.parseMDN(.init(mdn: dir + "/quoted.mdn"))
        XCTAssertEqual(receipt.status, "processed", receipt.detailedStatus ?? "")
        XCTAssertEqual(receipt.micMatched, true)
        XCTAssertEqual(try AS2Name(headerValue: receipt.as2To ?? "").value, partnerName)
        XCTAssertEqual(try AS2Name(headerValue: receipt.as2From ?? "").value, ourName)
        XCTAssertEqual(built.messageID, MessageID.normalizedKey(request.messageID))

        // We send with the same names; pyas2lib's receipt names them swapped.
        let options = OutboundMessageOptions(
            as2From: try AS2Name(partnerName), as2To: try AS2Name(ourName), messageID: MessageID.generate(domain: "acme.test"),
            signature: .sha256, encryption: .aes128CBC, mdn: MDNRequest(signingDigest: .sha256))
        let ours = try MessageBuilder.build(
            payload: MemoryByteSource([UInt8](MatrixPayload.binary.bytes)), options: options, signer: try acme.identity(),
            recipients: [try globex.certificate()], workDirectory: dir)
        try CapturedFile.write(headers: ours.headers, body: ours.body, to: dir + "/ours-quoted.cap")
        let parsed = try await peer.parse(
            .init(message: dir + "/ours-quoted.cap", receiver: globex, sender: acme, mdnOut: dir + "/ours-quoted.mdn"))
        XCTAssertEqual(parsed.status, "processed", parsed.exception ?? "")
        let (mdnHeaders, mdnBody) = try CapturedFile.read(dir + "/ours-quoted.mdn")
        // pyas2lib 1.4.4 quotes the request's header values again when it swaps them (its MDN says
        // AS2-From: "\"Globex HQ\""): R-VAL-3 makes that a note, not a failure.
        XCTAssertEqual(mdnHeaders.first { $0.0 == "AS2-From" }?.1, #""\"Globex HQ\"""#)
        let theirs = try MDNParser.parse(headers: mdnHeaders, body: mdnBody, trusted: [try globex.certificate()])
        XCTAssertEqual(theirs.as2From?.value, "\"\(ourName)\"")
        let evaluation = MDNEvaluator.evaluate(
            theirs,
            expecting: MDNExpectation(
                messageID: ours.messageID, ourID: try AS2Name(partnerName), partnerID: try AS2Name(ourName),
                expectedMICs: ours.expectedMICs, signedReceiptRequested: true))
        XCTAssertEqual(evaluation.verdict, .delivered)
        XCTAssertEqual(evaluation.micMatched, true)
        XCTAssertEqual(evaluation.notes.filter { $0.contains("AS2-From") || $0.contains("AS2-To") }.count, 2, "\(evaluation.notes)")
    }

    // MARK: - case 19: Message-ID without angle brackets

    func testMessageIDWithoutBracketsIsEchoedVerbatim() async throws {
        let (built, path) = try await buildRaw("no-brackets", [.sign, .encrypt]) {
            $0.headers = [PeerHeader("Message-ID", "STERLING-0001-20260101@sterling.test")]
        }
        let (request, result) = try unpack(path)
        XCTAssertEqual(request.messageID, "STERLING-0001-20260101@sterling.test")
        let message = try accepted(result)
        let report = MDNBuilder.report(for: request, disposition: .processed, mic: message.mic, reason: nil)
        XCTAssertEqual(report.originalMessageID, "STERLING-0001-20260101@sterling.test", "no brackets added")
        let mdn = try MDNBuilder.build(
            report: report, from: request.as2To, to: request.as2From, messageID: MessageID.generate(domain: "globex.test"),
            signer: try globex.identity(), digest: .sha256)
        XCTAssertNotNil(
            String(decoding: mdn.body, as: UTF8.self).range(of: "\r\nOriginal-Message-ID: STERLING-0001-20260101@sterling.test\r\n"))
        try CapturedFile.write(headers: mdn.headers, body: MemoryByteSource(mdn.body), to: dir + "/no-brackets.mdn")
        let receipt = try await peer.parseMDN(
            .init(mdn: dir + "/no-brackets.mdn", expect: .init(mic: built.mics["sha256"], mdnDigest: .sha256, partnerCert: globex.certPEM)))
        XCTAssertEqual(receipt.status, "processed", receipt.detailedStatus ?? "")
        XCTAssertEqual(receipt.originalMessageID, "STERLING-0001-20260101@sterling.test")
        XCTAssertEqual(receipt.micMatched, true)
    }

    // MARK: - case 23: base64 transfer encodings

    func testBase64TransferEncodingsAtHTTPAndPartLevel() async throws {
        // HTTP-level Content-Transfer-Encoding: base64 around an encrypted body.
        let (httpBuilt, httpPath) = try await buildRaw("http-base64", [.sign, .encrypt]) { $0.httpTransferEncoding = "base64" }
        let (httpHeaders, _) = try CapturedFile.read(httpPath)
        XCTAssertTrue(httpHeaders.contains { $0.0 == "Content-Transfer-Encoding" && $0.1 == "base64" })
        let (httpRequest, httpResult) = try unpack(httpPath)
        let httpMessage = try accepted(httpResult)
        XCTAssertEqual(Data(try httpMessage.payload.readAll()), MatrixPayload.binary.bytes)
        XCTAssertEqual(Data(httpMessage.mic.digest).base64EncodedString(), httpBuilt.mic)
        try await assertPyAS2LibAcceptsOurReceipt(httpRequest, httpMessage, senderMIC: httpBuilt.mic)

        // A base64 payload part inside the signature: decoded for delivery, hashed as transmitted.
        for layers in [[InteropPeer.RawLayer.sign], [.sign, .encrypt], [.compress, .sign], [.sign, .compress, .encrypt]] {
            let name = "part-base64-" + layers.map(\.op.rawValue).joined(separator: "-")
            let (built, path) = try await buildRaw(name, layers) { $0.payloadTransferEncoding = "base64" }
            let (_, result) = try unpack(path)
            let message = try accepted(result)
            XCTAssertEqual(Data(try message.payload.readAll()), MatrixPayload.binary.bytes, name)
            XCTAssertEqual(Data(message.mic.digest).base64EncodedString(), built.mic, "\(name): MIC over the base64 part as sent")
        }
    }

    func testOurBase64PayloadPartOpensWithPyAS2LibAndOpenSSL() async throws {
        // Encrypted only: pyas2lib decodes the part.
        var options = OutboundMessageOptions(
            as2From: try AS2Name("acme"), as2To: try AS2Name("globex"), messageID: MessageID.generate(domain: "acme.test"),
            filename: "base64.dat", signature: nil, encryption: .aes128CBC, mdn: MDNRequest(signingDigest: nil))
        options.payloadTransferEncoding = .base64
        let encrypted = try MessageBuilder.build(
            payload: MemoryByteSource([UInt8](MatrixPayload.binary.bytes)), options: options, signer: nil,
            recipients: [try globex.certificate()], workDirectory: dir)
        try CapturedFile.write(headers: encrypted.headers, body: encrypted.body, to: dir + "/base64-encrypted.cap")
        let parsed = try await peer.parse(
            .init(message: dir + "/base64-encrypted.cap", receiver: globex, sender: acme, payloadOut: dir + "/base64.out"))
        XCTAssertEqual(parsed.status, "processed", parsed.exception ?? "")
        XCTAssertEqual(try? Data(contentsOf: URL(fileURLWithPath: dir + "/base64.out")), MatrixPayload.binary.bytes)

        // Signed: pyas2lib 1.4.4 re-serializes a non-binary part before verifying, so it cannot
        // check any base64 part; the openssl CLI checks ours over the part exactly as sent.
        options.signature = .sha256
        options.encryption = nil
        let signed = try MessageBuilder.build(
            payload: MemoryByteSource([UInt8](MatrixPayload.binary.bytes)), options: options, signer: try acme.identity(),
            recipients: [], workDirectory: dir)
        let contentType = try XCTUnwrap(signed.headers.first { $0.name == "Content-Type" }?.value)
        let (first, signaturePart) = try MIMEBytes.splitMultipart(
            Data(try signed.body.readAll()), boundary: try MIMEBytes.boundary(of: contentType))
        let (partHeaders, partBody) = try MIMEBytes.splitEntity(first)
        XCTAssertTrue(partHeaders.contains("Content-Transfer-Encoding: base64"), partHeaders)
        XCTAssertEqual(Data(base64Encoded: partBody, options: .ignoreUnknownCharacters), MatrixPayload.binary.bytes)
        let verified = try OpenSSLCLI.verify(content: first, signature: try MIMEBytes.base64Body(of: signaturePart), trusting: acme.certPEM)
        XCTAssertTrue(verified.succeeded, verified.stderr)
        XCTAssertEqual(signed.primaryMIC?.base64, try OpenSSLCLI.digestBase64(first, algorithm: "sha256"))
    }
}
