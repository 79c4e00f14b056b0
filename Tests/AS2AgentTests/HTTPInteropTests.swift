import AS2Spool
import Foundation
import XCTest

/// The agent against pyas2lib over real HTTP (Tests/InteropTests/peer/as2http.py), both ways,
/// with sync and async MDNs.
final class HTTPInteropTests: HTTPAgentTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var script: String { Self.packageRoot + "/Tests/InteropTests/peer/as2http.py" }

    func python() throws -> String {
        let path = ProcessInfo.processInfo.environment["AS2_INTEROP_PYTHON"] ?? Self.packageRoot + "/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HTTPTestError("no Python with pyas2lib at \(path): run `make venv` or set AS2_INTEROP_PYTHON")
        }
        return path
    }

    /// GLOBEX (our agent) with partner `pypeer`, and the peer's JSON configuration.
    func setUpPeer(mdn: String, peerPort: Int) throws -> (HTTPAgentNode, HTTPTestParty, String) {
        let globex = try node("GLOBEX", keyIndex: 1)
        let peer = try HTTPTestParty(as2ID: "PYPEER", directory: root + "/pypeer", keyIndex: 2)
        var spec = HTTPPartnerSpec(name: "pypeer", party: peer, url: "http://127.0.0.1:\(peerPort)/as2")
        spec.mdn = mdn
        globex.partners = [spec]
        let config: [String: Any] = [
            "as2_name": "PYPEER", "key": peer.keyPath, "cert": peer.certificatePath, "inbox": root + "/pypeer/inbox",
            "partners": [[
                "as2_name": "GLOBEX", "name": "globex", "partner_cert": globex.party.certificatePath, "validate_certs": false,
                "sign": "sha256", "encrypt": "aes_256_cbc", "mdn_mode": mdn, "mdn_digest_alg": "sha256",
                "content_type": "application/octet-stream", "url": globex.as2URL, "sign_required": true, "encrypt_required": true,
            ]],
        ]
        let path = root + "/pypeer/config.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return (globex, peer, path)
    }

    func runPeer(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = [script] + arguments
        let out = Pipe()
        let errPath = root + "/peer-stderr-\(UUID().uuidString.prefix(6))"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        onTeardown { if process.isRunning { process.terminate() } }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: data, as: UTF8.self) + err.suffix(3000))
    }

    func pyas2libSends(mdn: String) throws {
        let mdnPort = try HTTPSocket.freePort()
        let (globex, _, config) = try setUpPeer(mdn: mdn, peerPort: mdnPort)
        try globex.start()
        let document = payload(30_000)
        let file = root + "/invoice.bin"
        try Data(document).write(to: URL(fileURLWithPath: file))
        let result = try runPeer(["send", "--url", globex.as2URL, "--file", file, "--config", config, "--partner", "globex",
                                  "--mdn-mode", mdn, "--mdn-port", "\(mdnPort)", "--timeout", "30"])
        XCTAssertEqual(result.status, 0, "pyas2lib got a verified processed MDN: \(result.output)\n\(globex.log.suffix(3000))")
        XCTAssertTrue(globex.read("pypeer", "inbox", "invoice.bin") == document, "the payload must be byte-identical")
        let sidecar = try XCTUnwrap(globex.sidecar("pypeer", "inbox", "invoice.bin"))
        XCTAssertEqual(sidecar.mdn.mode, mdn == "sync" ? .sync : .async)
        XCTAssertTrue(sidecar.security.signed && sidecar.security.encrypted)
    }

    func testPyas2libSendsWithSyncMDN() throws { try pyas2libSends(mdn: "sync") }
    func testPyas2libSendsWithAsyncMDN() throws { try pyas2libSends(mdn: "async") }

    func agentSendsToPyas2lib(mdn: String) throws {
        let port = try HTTPSocket.freePort()
        let (globex, _, config) = try setUpPeer(mdn: mdn, peerPort: port)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try python())
        server.arguments = [script, "serve", "--port", "\(port)", "--config", config, "--exit-on-stdin-eof"]
        let stdin = Pipe()
        let logPath = root + "/pypeer/serve.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        server.standardInput = stdin
        server.standardOutput = log
        server.standardError = log
        try server.run()
        onTeardown {
            try? stdin.fileHandleForWriting.close()
            if server.isRunning { server.terminate() }
            server.waitUntilExit()
        }
        XCTAssertTrue(HTTPWait.until(timeout: 20) { ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").contains("\"ready\"") }, "pyas2lib server ready")
        try globex.start()
        let document = payload(25_000)
        try globex.drop(document, as: "shipment.bin", to: "pypeer")
        let sent: ReceiptSidecar
        do {
            sent = try globex.waitSent("shipment.bin", partner: "pypeer")
        } catch {
            throw HTTPTestError("\(error)\n--- peer:\n\(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(3000))")
        }
        XCTAssertEqual(sent.mdn.mode, mdn == "sync" ? .sync : .async)
        XCTAssertEqual(sent.mdn.dispositionType, .processed)
        XCTAssertEqual(sent.mdn.signatureVerified, true)
        XCTAssertEqual(sent.mdn.micMatched, true)
        let received = FileManager.default.contents(atPath: root + "/pypeer/inbox/shipment.bin").map { [UInt8]($0) }
        XCTAssertTrue(received == document, "the payload must be byte-identical")
    }

    func testAgentSendsToPyas2libWithSyncMDN() throws { try agentSendsToPyas2lib(mdn: "sync") }
    func testAgentSendsToPyas2libWithAsyncMDN() throws { try agentSendsToPyas2lib(mdn: "async") }
}
