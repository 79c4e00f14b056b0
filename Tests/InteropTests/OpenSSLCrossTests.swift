import AS2Bytes
import AS2Crypto
import AS2Protocol
import Foundation
import XCTest

/// Signing and encryption cross-checked with the `openssl cms` CLI (issue 2, item 4): our
/// detached signatures verify with `openssl cms -verify -binary` over the exact first part, our
/// (Auth)EnvelopedData opens with `openssl cms -decrypt`, and messages whose CMS blobs the CLI
/// made (assembled by `build_raw`) unpack with us.
final class OpenSSLCrossTests: XCTestCase {
    private var acme: TestParty!
    private var globex: TestParty!
    private var mallory: TestParty!
    private var dir: String!

    override func setUp() async throws {
        acme = try TestPKI.shared.party("acme")
        globex = try TestPKI.shared.party("globex")
        mallory = try TestPKI.shared.party("mallory")
        dir = try InteropEnvironment.makeTemporaryDirectory("openssl-cross").path
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func build(
        _ payload: Data, sign: DigestAlgorithm?, scheme: SignatureScheme = .rsaPKCS1v15,
        encrypt: ContentEncryptionAlgorithm?, keyTransport: KeyTransportAlgorithm = .rsaPKCS1v15,
        compression: CompressionMode = .none
    ) throws -> (headers: [(name: String, value: String)], body: Data, message: PreparedMessage) {
        var options = OutboundMessageOptions(
            as2From: try AS2Name("acme"), as2To: try AS2Name("globex"), messageID: MessageID.generate(domain: "acme.test"),
            filename: "cross.dat", signature: sign, encryption: encrypt, compression: compression,
            mdn: MDNRequest(signingDigest: .sha256))
        options.signatureScheme = scheme
        options.keyTransport = keyTransport
        let message = try MessageBuilder.build(
            payload: MemoryByteSource([UInt8](payload)), options: options, signer: try acme.identity(),
            recipients: [try globex.certificate()], workDirectory: dir)
        return (message.headers, Data(try message.body.readAll(limit: 64 << 20)), message)
    }

    private func header(_ headers: [(name: String, value: String)], _ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    // MARK: - our CMS, their CLI

    func testOurDetachedSignaturesVerifyWithOpenSSLOverTheExactFirstPart() throws {
        // Every digest and scheme; the payloads and the compression position rotate over them.
        var checks: [CaseCheck] = []
        let combinations = [DigestAlgorithm.sha1, .sha256, .sha384, .sha512].flatMap { d in SignatureScheme.allCases.map { (d, $0) } }
        for (index, (digest, scheme)) in combinations.enumerated() {
            let payload = MatrixPayload.small[index % 3]
            let compression: CompressionMode = index % 2 == 0 ? .none : .beforeSigning
            var check = CaseCheck("\(digest) \(scheme) \(payload) \(compression)")
            do {
                let (headers, body, message) = try build(payload.bytes, sign: digest, scheme: scheme, encrypt: nil, compression: compression)
                let contentType = try XCTUnwrap(header(headers, "Content-Type"))
                check.expect(contentType.contains("micalg=\(digest.micalgName)"), "micalg in \(contentType)")
                let (first, signaturePart) = try MIMEBytes.splitMultipart(body, boundary: try MIMEBytes.boundary(of: contentType))
                let signature = try MIMEBytes.base64Body(of: signaturePart)
                let verified = try OpenSSLCLI.verify(content: first, signature: signature, trusting: acme.certPEM)
                check.expect(verified.succeeded, "openssl cms -verify failed: \(verified.stderr)")
                let wrongSigner = try OpenSSLCLI.verify(content: first, signature: signature, trusting: mallory.certPEM)
                check.expect(!wrongSigner.succeeded, "verified while trusting mallory only")
                var altered = first
                altered[altered.count - 1] ^= 0x20
                let alteredOutcome = try OpenSSLCLI.verify(content: altered, signature: signature, trusting: acme.certPEM)
                check.expect(!alteredOutcome.succeeded, "verified over altered content")
                // The MIC we expect back is the digest of exactly the bytes openssl verified.
                check.equal(message.primaryMIC?.base64, try OpenSSLCLI.digestBase64(first, algorithm: digest.rawValue), "primary MIC")
                let printed = try OpenSSLCLI.printCMS(signature)
                check.expect(printed.contains("algorithm: \(digest.rawValue) ("), "SignerInfo digest is not \(digest)")
                check.equal(printed.contains("rsassaPss"), scheme == .rsaPSS, "RSASSA-PSS in the SignerInfo")
                if compression == .none {
                    check.equal(try MIMEBytes.splitEntity(first).body, payload.bytes, "payload bytes verbatim in the first part")
                }
            } catch {
                check.fail("threw: \(error)")
            }
            checks.append(check)
        }
        report(checks, "our signatures → openssl cms -verify")
    }

    func testOurEnvelopesDecryptWithOpenSSL() throws {
        // Every cipher and key transport; the payloads rotate over them.
        var checks: [CaseCheck] = []
        let names: [ContentEncryptionAlgorithm: String] = [
            .tripleDES: "des-ede3-cbc", .aes128CBC: "aes-128-cbc", .aes192CBC: "aes-192-cbc", .aes256CBC: "aes-256-cbc",
            .aes128GCM: "aes-128-gcm", .aes256GCM: "aes-256-gcm",
        ]
        let ciphers: [ContentEncryptionAlgorithm] = [.tripleDES, .aes128CBC, .aes192CBC, .aes256CBC, .aes128GCM, .aes256GCM]
        let combinations = ciphers.flatMap { c in KeyTransportAlgorithm.allCases.map { (c, $0) } }
        for (index, (cipher, keyTransport)) in combinations.enumerated() {
            let payload = MatrixPayload.small[index % 3]
            var check = CaseCheck("\(cipher) \(keyTransport) \(payload)")
            do {
                let (headers, body, message) = try build(payload.bytes, sign: nil, encrypt: cipher, keyTransport: keyTransport)
                let contentType = try XCTUnwrap(header(headers, "Content-Type"))
                check.expect(
                    contentType.contains(cipher.isAuthenticated ? "smime-type=authEnveloped-data" : "smime-type=enveloped-data"),
                    "Content-Type \(contentType)")
                let decrypted = try OpenSSLCLI.decrypt(body, recipient: globex)
                let (entityHeaders, content) = try MIMEBytes.splitEntity(decrypted)
                check.expect(entityHeaders.hasPrefix("Content-Type: application/octet-stream"), "inner headers: \(entityHeaders)")
                check.expect(content == payload.bytes, "decrypted payload differs (\(content.count) vs \(payload.bytes.count) bytes)")
                // Unsigned and encrypted: the MIC is over the decrypted entity, headers included.
                check.equal(message.primaryMIC?.base64, try OpenSSLCLI.digestBase64(decrypted, algorithm: "sha256"), "primary MIC")
                let printed = try OpenSSLCLI.printCMS(body)
                check.expect(printed.contains("algorithm: \(names[cipher] ?? "?") ("), "content encryption is not \(cipher)")
                check.equal(printed.contains("rsaesOaep"), keyTransport == .rsaOAEP, "RSAES-OAEP key transport")
                check.equal(printed.contains("id-smime-ct-authEnvelopedData"), cipher.isAuthenticated, "AuthEnvelopedData content type")
                let wrongKey = try OpenSSLCLI.decryptOutcome(body, recipient: mallory)
                check.expect(!wrongKey.succeeded, "mallory's key opened a message for globex")
            } catch {
                check.fail("threw: \(error)")
            }
            checks.append(check)
        }
        report(checks, "our envelopes → openssl cms -decrypt")
    }

    func testOurSignedAndEncryptedMessagesOpenLayerByLayerWithOpenSSL() throws {
        var checks: [CaseCheck] = []
        for digest in [DigestAlgorithm.sha1, .sha256, .sha512] {
            for cipher in [ContentEncryptionAlgorithm.tripleDES, .aes256CBC, .aes256GCM] {
                var check = CaseCheck("\(digest) \(cipher)")
                do {
                    let payload = MatrixPayload.binary.bytes
                    let (_, body, message) = try build(payload, sign: digest, encrypt: cipher)
                    let decrypted = try OpenSSLCLI.decrypt(body, recipient: globex)
                    let (signedHeaders, signedBody) = try MIMEBytes.splitEntity(decrypted)
                    check.expect(signedHeaders.contains("multipart/signed"), "inner entity: \(signedHeaders)")
                    let (first, signaturePart) = try MIMEBytes.splitMultipart(signedBody, boundary: try MIMEBytes.boundary(of: signedHeaders))
                    let verified = try OpenSSLCLI.verify(content: first, signature: try MIMEBytes.base64Body(of: signaturePart), trusting: acme.certPEM)
                    check.expect(verified.succeeded, "openssl cms -verify failed: \(verified.stderr)")
                    check.equal(try MIMEBytes.splitEntity(first).body, payload, "payload in the first part")
                    check.equal(message.primaryMIC?.base64, try OpenSSLCLI.digestBase64(first, algorithm: digest.rawValue), "primary MIC")
                } catch {
                    check.fail("threw: \(error)")
                }
                checks.append(check)
            }
        }
        report(checks, "our signed+encrypted → openssl decrypt + verify")
    }

    func testOurSignedMDNVerifiesWithOpenSSL() throws {
        let (headers, body, message) = try build(MatrixPayload.lfText.bytes, sign: .sha256, encrypt: nil)
        let request = try InboundRequest(headers: headers.map { ($0.name, $0.value) })
        let security = InboundSecurity(decryptionIdentities: [try globex.identity()], partnerCertificates: [try acme.certificate()])
        let result = MessageUnpacker.unpack(
            request: request, body: MemoryByteSource([UInt8](body)), security: security,
            policy: InboundPolicy(requireEncryption: false), workDirectory: dir)
        guard case let .accepted(unpacked) = result else { return XCTFail("not accepted: \(result.disposition)") }
        for digest in [DigestAlgorithm.sha1, .sha256, .sha384, .sha512] {
            let report = MDNBuilder.report(for: request, disposition: .processed, mic: unpacked.mic, reason: nil)
            let mdn = try MDNBuilder.build(
                report: report, from: request.as2To, to: request.as2From, messageID: MessageID.generate(domain: "globex.test"),
                signer: try globex.identity(), digest: digest)
            let contentType = try XCTUnwrap(header(mdn.headers, "Content-Type"))
            XCTAssertTrue(contentType.contains("micalg=\(digest.micalgName)"), contentType)
            let (first, signaturePart) = try MIMEBytes.splitMultipart(Data(mdn.body), boundary: try MIMEBytes.boundary(of: contentType))
            XCTAssertTrue(String(decoding: first, as: UTF8.self).hasPrefix("Content-Type: multipart/report"), "\(digest)")
            let verified = try OpenSSLCLI.verify(content: first, signature: try MIMEBytes.base64Body(of: signaturePart), trusting: globex.certPEM)
            XCTAssertTrue(verified.succeeded, "\(digest): \(verified.stderr)")
            XCTAssertTrue(String(decoding: first, as: UTF8.self).contains("Received-Content-MIC: \(message.primaryMIC?.base64 ?? "?"), sha-256"))
        }
    }

    // MARK: - their CMS (openssl cms via build_raw), our unpacker

    func testMessagesWithOpenSSLMadeSignaturesAndEnvelopesUnpackWithUs() async throws {
        let peer = InteropPeer.shared
        let payloadPath = dir + "/payload.bin"
        let payload = MatrixPayload.binary.bytes
        try payload.write(to: URL(fileURLWithPath: payloadPath))
        let security = InboundSecurity(decryptionIdentities: [try globex.identity()], partnerCertificates: [try acme.certificate()])
        let policy = InboundPolicy(requireSignature: false, requireEncryption: false, minimumSignatureDigest: .sha1, minimumEncryption: .tripleDES)

        struct Shape {
            var name: String
            var layers: [InteropPeer.RawLayer]
            var expected: [String]
        }
        var shapes: [Shape] = []
        for digest in [PeerDigest.sha1, .sha224, .sha256, .sha384, .sha512] {
            for scheme in [PeerSignatureScheme.pkcs1v15, .pss] {
                for certs in [true, false] {
                    var layer = InteropPeer.RawLayer.sign
                    layer.digest = digest
                    layer.signatureScheme = scheme
                    layer.includeCerts = certs
                    shapes.append(Shape(name: "sign \(digest) \(scheme) certs=\(certs)", layers: [layer], expected: ["signed"]))
                }
            }
        }
        for cipher in PeerCipher.allCases {
            for keyEncryption in [PeerKeyEncryption.pkcs1v15, .oaep] {
                var layer = InteropPeer.RawLayer.encrypt
                layer.cipher = cipher
                layer.keyEncryption = keyEncryption
                shapes.append(Shape(name: "encrypt \(cipher) \(keyEncryption)", layers: [layer], expected: ["encrypted"]))
                shapes.append(Shape(name: "sign+encrypt \(cipher) \(keyEncryption)", layers: [.sign, layer], expected: ["encrypted", "signed"]))
            }
        }
        shapes.append(Shape(name: "compress, sign, encrypt", layers: [.compress, .sign, .encrypt], expected: ["encrypted", "signed", "compressed"]))
        shapes.append(Shape(name: "sign, compress, encrypt", layers: [.sign, .compress, .encrypt], expected: ["encrypted", "compressed", "signed"]))
        shapes.append(Shape(name: "compress, encrypt", layers: [.compress, .encrypt], expected: ["encrypted", "compressed"]))

        var checks: [CaseCheck] = []
        for (index, shape) in shapes.enumerated() {
            var check = CaseCheck(shape.name)
            do {
                let out = dir + "/raw-\(index).cap"
                var request = InteropPeer.RawBuildRequest(payload: payloadPath, out: out, from: acme, to: globex, layers: shape.layers)
                request.filename = "raw.dat"
                request.mdnMode = .sync
                request.mdnDigest = "sha-256"
                let built = try await peer.buildRaw(request)
                let (headers, body) = try CapturedFile.read(out)
                let inbound = try InboundRequest(headers: headers)
                let result = MessageUnpacker.unpack(request: inbound, body: body, security: security, policy: policy, workDirectory: dir)
                switch result {
                case let .accepted(message):
                    check.expect(Data(try message.payload.readAll()) == payload, "payload differs")
                    check.equal(message.layers.map(\.name), shape.expected, "layers")
                    // sha-256 was requested for the receipt: R-MICALG-1 takes it whatever the signing digest.
                    check.equal(Data(message.mic.digest).base64EncodedString(), built.mics["sha256"], "MIC")
                    check.equal(message.mic.algorithm, .sha256, "MIC algorithm")
                    if let layer = shape.layers.first(where: { $0.op == .sign }) {
                        check.equal(message.layers.signature?.digest, (layer.digest ?? .sha256).algorithm, "signature digest")
                        check.equal(message.layers.signature?.scheme, layer.signatureScheme == .pss ? .rsaPSS : .rsaPKCS1v15, "signature scheme")
                        check.equal(message.signer?.sha256Fingerprint, try acme.certificate().sha256Fingerprint, "signer")
                    }
                    if let layer = shape.layers.first(where: { $0.op == .encrypt }) {
                        check.equal(message.layers.encryption?.algorithm, (layer.cipher ?? .aes256CBC).algorithm, "cipher")
                        check.equal(message.layers.encryption?.keyTransport, layer.keyEncryption == .oaep ? .rsaOAEP : .rsaPKCS1v15, "key transport")
                    }
                case let .rejected(rejection):
                    check.fail("rejected: \(rejection.disposition.headerValue): \(rejection.reason)")
                }
            } catch {
                check.fail("threw: \(error)")
            }
            checks.append(check)
        }
        report(checks, "openssl cms (build_raw) → we receive")
    }

    private func report(_ checks: [CaseCheck], _ title: String, file: StaticString = #filePath, line: UInt = #line) {
        MatrixRunner.assertClean(
            MatrixRunner.Report(cases: checks.count, failed: checks.filter { !$0.passed }, seconds: 0), title, file: file, line: line)
    }
}
