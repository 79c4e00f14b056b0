import Foundation
import XCTest

/// Proves the interop harness itself: pyas2lib talks to pyas2lib through the peer, build_raw's
/// output opens with the openssl CLI, and the HTTP peer delivers with sync and async MDNs.
final class PeerSelfTests: XCTestCase {
    private var dir: URL!
    private var acme: TestParty!
    private var globex: TestParty!

    override func setUp() async throws {
        dir = try InteropEnvironment.makeTemporaryDirectory("peer-self-test")
        acme = try TestPKI.shared.party("acme")
        globex = try TestPKI.shared.party("globex")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Random bytes with every byte value and bare CR / LF / CRLF runs, so any rewriting shows.
    private func writePayload(_ name: String, size: Int = 48 * 1024) throws -> (path: String, bytes: Data) {
        var generator = SystemRandomNumberGenerator()
        var bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        bytes.append(contentsOf: Array("\nline\r\nline\rline\n\n".utf8) + (0...255).map { UInt8($0) })
        let file = path(name)
        try bytes.write(to: URL(fileURLWithPath: file))
        return (file, bytes)
    }

    private func sha256Base64(_ data: Data) throws -> String {
        let outcome = try OpenSSLCLI.run(["dgst", "-sha256", "-binary"], stdin: data)
        XCTAssertTrue(outcome.succeeded, outcome.stderr)
        return outcome.stdout.base64EncodedString()
    }

    // MARK: - the JSON-lines peer

    func testPeerAnswersPingAndSurvivesBadRequests() async throws {
        let peer = InteropPeer.shared
        let ping = try await peer.ping()
        XCTAssertEqual(ping.pyas2lib, "1.4.4")

        do {
            _ = try await peer.request("no-such-command", ["x": 1])
            XCTFail("an unknown command must fail")
        } catch let error as InteropError {
            guard case .peerFailed(let command, let message, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(command, "no-such-command")
            XCTAssertTrue(message.contains("unknown cmd"), message)
        }
        do {
            _ = try await peer.parse(.init(message: path("missing.cap")))
            XCTFail("a missing file must fail")
        } catch let error as InteropError {
            guard case .peerFailed = error else { return XCTFail("\(error)") }
        }
        let again = try await peer.ping()
        XCTAssertEqual(again.pid, ping.pid, "bad requests must not restart the peer")
    }

    func testTimedOutRequestFailsClearlyAndThePeerRestarts() async throws {
        let peer = InteropPeer()  // a private peer: the shared one keeps serving other tests
        let before = try await peer.ping()
        do {
            _ = try await peer.request("sleep", ["seconds": 30], timeout: .milliseconds(300))
            XCTFail("a request slower than its timeout must fail")
        } catch let error as InteropError {
            guard case .peerTimeout(let command, _, let seconds, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(command, "sleep")
            XCTAssertEqual(seconds, 0.3, accuracy: 0.001)
            XCTAssertTrue("\(error)".contains("got no answer within 0.3 s"), "\(error)")
        }
        let after = try await peer.ping()
        XCTAssertNotEqual(after.pid, before.pid, "the stuck peer is replaced")
        await peer.shutdown()
    }

    func testPyAS2LibRoundTripsEachLayeringWithSignedSyncMDN() async throws {
        let peer = InteropPeer.shared
        let payload = try writePayload("payload.bin")
        struct Layering {
            let name: String
            let sign: PeerDigest?
            let encrypt: PeerCipher?
            let compress: Bool
        }
        let layerings = [
            Layering(name: "plain", sign: nil, encrypt: nil, compress: false),
            Layering(name: "signed", sign: .sha256, encrypt: nil, compress: false),
            Layering(name: "encrypted", sign: nil, encrypt: .aes256CBC, compress: false),
            Layering(name: "signed-encrypted-compressed", sign: .sha384, encrypt: .aes128CBC, compress: true),
        ]
        for layering in layerings {
            let name = layering.name
            var build = InteropPeer.BuildRequest(
                payload: payload.path, out: path("\(name).cap"), from: acme, to: globex)
            build.sign = layering.sign
            build.encrypt = layering.encrypt
            build.compress = layering.compress
            build.mdnMode = .sync
            build.mdnDigest = .sha256
            build.contentType = "application/octet-stream"
            build.filename = "invoice-\(name).bin"
            let built = try await peer.build(build)
            XCTAssertEqual(built.signed, layering.sign != nil, name)
            XCTAssertEqual(built.encrypted, layering.encrypt != nil, name)
            XCTAssertEqual(built.compressed, layering.compress, name)
            if layering.sign != nil {
                XCTAssertEqual(built.mic, built.rfcMIC, "\(name): pyas2lib's MIC is over the bytes it signed")
                XCTAssertEqual(built.micAlgorithm, layering.sign?.rawValue, name)
            } else {
                XCTAssertNil(built.mic, "\(name): pyas2lib computes a MIC only for signed messages")
            }

            let captured = try CapturedMessage.read(from: path("\(name).cap"))
            XCTAssertEqual(captured.header("AS2-From"), "acme", name)
            XCTAssertEqual(captured.header("as2-to"), "globex", name)
            XCTAssertEqual(captured.header("Message-ID"), "<\(built.messageID)>", name)
            XCTAssertEqual(try captured.bodySource().count, built.bodySize, name)
            try captured.write(to: path("\(name).rewritten.cap"))
            XCTAssertEqual(
                try Data(contentsOf: URL(fileURLWithPath: path("\(name).rewritten.cap"))),
                try Data(contentsOf: URL(fileURLWithPath: path("\(name).cap"))), "\(name): captured form round-trips")

            var parse = InteropPeer.ParseRequest(
                message: path("\(name).cap"), receiver: globex, sender: acme,
                payloadOut: path("\(name).payload"), mdnOut: path("\(name).mdn"))
            parse.signRequired = layering.sign != nil
            parse.encryptRequired = layering.encrypt != nil
            let parsed = try await peer.parse(parse)
            XCTAssertEqual(parsed.status, "processed", "\(name): \(parsed.exception ?? "")")
            XCTAssertEqual(parsed.signed, layering.sign != nil, name)
            XCTAssertEqual(parsed.encrypted, layering.encrypt != nil, name)
            XCTAssertEqual(parsed.compressed, layering.compress, name)
            XCTAssertEqual(parsed.filename, "invoice-\(name).bin", name)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("\(name).payload"))), payload.bytes, name)
            XCTAssertEqual(parsed.mic, built.mic, name)

            let mdn = try XCTUnwrap(parsed.mdn, name)
            XCTAssertTrue(mdn.signed, name)
            XCTAssertEqual(mdn.mode, "sync", name)
            XCTAssertEqual(mdn.disposition, "automatic-action/MDN-sent-automatically; processed", name)
            XCTAssertEqual(mdn.originalMessageID, "<\(built.messageID)>", name)
            XCTAssertEqual(mdn.as2From, "globex", name)
            XCTAssertEqual(mdn.as2To, "acme", name)
            XCTAssertEqual(mdn.receivedMIC, built.mic, name)

            let receipt = try await peer.parseMDN(.init(mdn: path("\(name).mdn")))
            XCTAssertEqual(receipt.status, "processed", "\(name): \(receipt.detailedStatus ?? "")")
            XCTAssertTrue(receipt.messageFound, name)
            XCTAssertTrue(receipt.signatureVerified, name)
            XCTAssertEqual(receipt.originalMessageID, built.messageID, name)
            XCTAssertEqual(receipt.micMatched, layering.sign != nil ? true : nil, name)
        }
    }

    func testTamperedSignatureIsRejectedByPyAS2LibAndTheMDNSaysSo() async throws {
        let peer = InteropPeer.shared
        let payload = try writePayload("payload.bin", size: 4096)
        var build = InteropPeer.BuildRequest(payload: payload.path, out: path("signed.cap"), from: acme, to: globex)
        build.sign = .sha256
        build.mdnMode = .sync
        build.mdnDigest = .sha256
        build.contentType = "application/octet-stream"
        _ = try await peer.build(build)

        // Flip one payload byte inside the signed part: the signature must no longer verify.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path("signed.cap")))
        let marker = Data("Content-Transfer-Encoding: binary\r\n".utf8)
        let at = try XCTUnwrap(bytes.range(of: marker)).upperBound + 100
        bytes[at] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path("tampered.cap")))

        let parsed = try await peer.parse(
            .init(message: path("tampered.cap"), receiver: globex, sender: acme, mdnOut: path("tampered.mdn")))
        XCTAssertEqual(parsed.status, "processed/Error")
        XCTAssertEqual(parsed.detailedStatus, "authentication-failed")
        XCTAssertFalse(parsed.payloadWritten)
        let receipt = try await peer.parseMDN(.init(mdn: path("tampered.mdn")))
        XCTAssertTrue(receipt.signatureVerified)
        XCTAssertEqual(receipt.status, "processed/Error")
        XCTAssertEqual(receipt.detailedStatus, "authentication-failed")
    }

    // MARK: - build_raw against the openssl CLI

    func testSignThenCompressThenEncryptOpensWithOpenSSL() async throws {
        let peer = InteropPeer.shared
        let payload = try writePayload("raw.bin")
        var request = InteropPeer.RawBuildRequest(
            payload: payload.path, out: path("raw.cap"), from: acme, to: globex,
            layers: [.sign, .compress, .encrypt])
        request.digest = .sha256
        request.cipher = .aes128CBC
        request.filename = "raw.bin"
        request.mdnMode = .sync
        request.mdnDigest = "sha-256"
        let built = try await peer.buildRaw(request)
        XCTAssertEqual(built.layers, ["sign", "compress", "encrypt"])
        XCTAssertEqual(built.micAlgorithm, "sha256")

        // Outer layer: EnvelopedData that the openssl CLI decrypts with globex's key.
        let captured = try CapturedMessage.read(from: path("raw.cap"))
        let outerType = try XCTUnwrap(captured.header("Content-Type"))
        XCTAssertTrue(outerType.contains("smime-type=enveloped-data"), outerType)
        let decrypted = try OpenSSLCLI.decrypt(try captured.body(), recipient: globex)
        let wrongKey = try OpenSSLCLI.decryptOutcome(try captured.body(), recipient: acme)
        XCTAssertFalse(wrongKey.succeeded, "acme's key must not open a message for globex")

        // Middle layer: a compressed-data entity; decompressed, a multipart/signed entity.
        let (compressedHeaders, compressedBody) = try splitEntity(decrypted)
        XCTAssertTrue(compressedHeaders.contains("smime-type=compressed-data"), compressedHeaders)
        try compressedBody.write(to: URL(fileURLWithPath: path("raw.p7z")))
        _ = try await peer.decompress(input: path("raw.p7z"), out: path("raw.signed"))
        let signedEntity = try Data(contentsOf: URL(fileURLWithPath: path("raw.signed")))
        let (signedHeaders, signedBody) = try splitEntity(signedEntity)
        XCTAssertTrue(signedHeaders.contains("multipart/signed"), signedHeaders)
        XCTAssertTrue(signedHeaders.contains("micalg=sha-256"), signedHeaders)
        let boundary = try XCTUnwrap(signedHeaders.firstMatch(of: /boundary="([^"]+)"/)?.1)
        let (firstPart, signaturePart) = try splitMultipart(signedBody, boundary: String(boundary))

        // Inner layer: the detached signature verifies over the exact first part, with acme only.
        let (_, signatureBase64) = try splitEntity(signaturePart)
        let signature = try XCTUnwrap(Data(base64Encoded: signatureBase64, options: .ignoreUnknownCharacters))
        let verified = try OpenSSLCLI.verify(content: firstPart, signature: signature, trusting: acme.certPEM)
        XCTAssertTrue(verified.succeeded, verified.stderr)
        let wrongSigner = try OpenSSLCLI.verify(content: firstPart, signature: signature, trusting: globex.certPEM)
        XCTAssertFalse(wrongSigner.succeeded)
        var altered = firstPart
        altered[altered.count - 1] ^= 0x01
        let alteredContent = try OpenSSLCLI.verify(content: altered, signature: signature, trusting: acme.certPEM)
        XCTAssertFalse(alteredContent.succeeded)

        // The first part is the payload entity; the MIC is SHA-256 over exactly its bytes.
        let (_, payloadBody) = try splitEntity(firstPart)
        XCTAssertEqual(payloadBody, payload.bytes)
        XCTAssertEqual(built.mic, try sha256Base64(firstPart))

        // And pyas2lib agrees on payload and MIC.
        let parsed = try await peer.parse(
            .init(message: path("raw.cap"), receiver: globex, sender: acme, payloadOut: path("raw.out")))
        XCTAssertEqual(parsed.status, "processed", parsed.exception ?? "")
        XCTAssertEqual(parsed.mic, built.mic)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("raw.out"))), payload.bytes)
    }

    func testOpenSSLSignatureOverPeerBytesVerifiesOnlyOverThoseBytes() throws {
        let content = Data("Content-Type: application/edi-x12\r\n\r\nISA*00*~\n".utf8)
        let signature = try OpenSSLCLI.sign(content: content, signer: acme, digest: "sha512")
        XCTAssertTrue(try OpenSSLCLI.verify(content: content, signature: signature, trusting: acme.certPEM).succeeded)
        var crlf = content
        crlf.insert(13, at: crlf.count - 1)
        XCTAssertFalse(try OpenSSLCLI.verify(content: crlf, signature: signature, trusting: acme.certPEM).succeeded)

        let enveloped = try OpenSSLCLI.encrypt(content: content, recipient: globex.certPEM, cipher: "aes-256-gcm", oaep: true)
        XCTAssertEqual(try OpenSSLCLI.decrypt(enveloped, recipient: globex), content)
    }

    // MARK: - the HTTP peer

    func testAS2HTTPDeliversWithSyncAndAsyncMDN() async throws {
        let payload = try writePayload("http.bin")
        let inbox = path("inbox")
        var fromAcme = AS2HTTPConfig.Partner(acme)
        fromAcme.signRequired = true
        fromAcme.encryptRequired = true
        let server = try await AS2HTTPServer.start(config: AS2HTTPConfig(globex, partners: [fromAcme], inbox: inbox))

        var toGlobex = AS2HTTPConfig.Partner(globex)
        toGlobex.sign = .sha256
        toGlobex.encrypt = .aes256CBC
        toGlobex.compress = true
        toGlobex.mdnMode = .sync
        toGlobex.mdnDigest = .sha256
        toGlobex.contentType = "application/octet-stream"
        let client = AS2HTTPConfig(acme, partners: [toGlobex])

        let sync = try await AS2HTTPClient.send(url: server.url, file: payload.path, config: client)
        XCTAssertTrue(sync.ok, "\(sync.results) \(sync.stderr)")
        let syncResult = try XCTUnwrap(sync.results.first)
        XCTAssertEqual(syncResult.httpStatus, 200)
        XCTAssertEqual(syncResult.mdn?.status, "processed")
        XCTAssertEqual(syncResult.mdn?.signatureVerified, true)
        XCTAssertEqual(syncResult.mdn?.micMatched, true)

        let async = try await AS2HTTPClient.send(url: server.url, file: payload.path, config: client, mdnMode: "async")
        XCTAssertTrue(async.ok, "\(async.results) \(async.stderr)")
        let asyncResult = try XCTUnwrap(async.results.first)
        XCTAssertEqual(asyncResult.mdnMode, "async")
        XCTAssertEqual(asyncResult.mdn?.status, "processed")
        XCTAssertEqual(asyncResult.mdn?.signatureVerified, true)
        XCTAssertEqual(asyncResult.mdn?.micMatched, true)
        XCTAssertNotNil(asyncResult.mdnWaitMilliseconds)

        let asyncID = try XCTUnwrap(asyncResult.messageID)
        let sent = try await server.waitForEvent("async_mdn_sent") { $0["message_id"]?.stringValue == asyncID }
        XCTAssertEqual(sent["http_status"]?.numberValue, 200)
        let messages = server.events("message")
        XCTAssertEqual(messages.count, 2)
        for event in messages {
            XCTAssertEqual(event["status"]?.stringValue, "processed", "\(event)")
            XCTAssertNotNil(event["total_ms"]?.numberValue)
        }
        XCTAssertEqual(messages.map { $0["mdn_mode"]?.stringValue }, ["sync", "async"])

        let stored = try FileManager.default.contentsOfDirectory(atPath: inbox).sorted()
        XCTAssertEqual(stored, ["http.1.bin", "http.bin"])
        for name in stored {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(inbox)/\(name)")), payload.bytes, name)
        }
        do {
            _ = try await AS2HTTPServer.start(config: AS2HTTPConfig(globex, partners: []), port: server.port)
            XCTFail("a second server on a taken port must not start")
        } catch let error as InteropError {
            guard case .serverNotReady(let why) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("Address already in use"), why)
        }

        let status = await server.stop()
        XCTAssertEqual(status, 0)
        XCTAssertEqual(server.events("stopped").count, 1)
    }

    // MARK: - MIME helpers for the checks above

    /// Header text and body of a MIME entity (split at the first CRLFCRLF).
    private func splitEntity(_ entity: Data) throws -> (String, Data) {
        let separator = try XCTUnwrap(entity.range(of: Data("\r\n\r\n".utf8)), "entity has no header/body separator")
        return (
            String(decoding: entity[entity.startIndex..<separator.lowerBound], as: UTF8.self),
            Data(entity[separator.upperBound...])
        )
    }

    /// The two body parts of a multipart body (RFC 2046: the CRLF before a delimiter belongs to it).
    private func splitMultipart(_ body: Data, boundary: String) throws -> (Data, Data) {
        let delimiter = Data("--\(boundary)".utf8)
        let first = try XCTUnwrap(body.range(of: delimiter))
        let firstLineEnd = try XCTUnwrap(body.range(of: Data("\r\n".utf8), in: first.upperBound..<body.endIndex))
        let second = try XCTUnwrap(body.range(of: Data("\r\n".utf8) + delimiter, in: firstLineEnd.upperBound..<body.endIndex))
        let secondLineEnd = try XCTUnwrap(body.range(of: Data("\r\n".utf8), in: second.upperBound..<body.endIndex))
        let close = try XCTUnwrap(body.range(of: Data("\r\n".utf8) + delimiter + Data("--".utf8), in: secondLineEnd.upperBound..<body.endIndex))
        return (
            Data(body[firstLineEnd.upperBound..<second.lowerBound]),
            Data(body[secondLineEnd.upperBound..<close.lowerBound])
        )
    }
}
