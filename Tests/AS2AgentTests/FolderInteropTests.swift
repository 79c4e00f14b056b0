#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Issue 5: our agent against pyas2lib over HTTP, both ways, driven through the folders.
/// The peer is `Tests/InteropTests/peer/as2http.py` (python from `AS2_INTEROP_PYTHON` or
/// `<package root>/.venv/bin/python`, created by `make venv`).
final class FolderInteropTests: FolderTestCase {
    var peer: Process?

    override func tearDown() {
        if let peer, peer.isRunning {
            kill(peer.processIdentifier, SIGKILL)
            peer.waitUntilExit()
        }
        peer = nil
        super.tearDown()
    }

    func python() throws -> (python: String, script: String) {
        let root = try FolderSupport.packageRoot()
        let python = ProcessInfo.processInfo.environment["AS2_INTEROP_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? root + "/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw FolderTestError("no Python with pyas2lib at \(python): run `make venv` or set AS2_INTEROP_PYTHON")
        }
        return (python, root + "/Tests/InteropTests/peer/as2http.py")
    }

    func peerConfig(_ py: FolderTestParty, inbox: String, acme: FolderTestParty) throws -> String {
        let config: [String: Any] = [
            "as2_name": py.as2ID, "key": py.keyPath, "cert": py.certificatePath, "inbox": inbox,
            "partners": [[
                "as2_name": acme.as2ID, "name": acme.name, "partner_cert": acme.certificatePath, "validate_certs": false,
                "sign_required": true, "encrypt_required": true, "sign": "sha256", "encrypt": "aes_256_cbc",
                "mdn_mode": "sync", "mdn_digest_alg": "sha256", "content_type": "application/octet-stream", "url": acme.url,
            ]],
        ]
        let path = directory + "/peer.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// ACME's outbox → pyas2lib server (verified signed sync MDN in sent/); pyas2lib client →
    /// ACME's inbox (document + sidecar, and the client verified our signed MDN).
    func testExchangeWithPyas2libBothWaysThroughFolders() throws {
        let (python, script) = try python()
        let acme = try party("acme", as2ID: "ACME")
        let py = try party("pyas2", as2ID: "PYAS2")
        let peerInbox = directory + "/peer-inbox"
        let config = try peerConfig(py, inbox: peerInbox, acme: acme)

        // The pyas2lib server, on a port it picks.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = [script, "serve", "--port", "0", "--config", config, "--exit-on-stdin-eof"]
        let out = Pipe()
        let input = Pipe()
        server.standardOutput = out
        server.standardInput = input
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        peer = server
        let readyLine = String(decoding: out.fileHandleForReading.readLine(), as: UTF8.self)
        let ready = try JSONSerialization.jsonObject(with: Data(readyLine.utf8)) as? [String: Any]
        let port = try XCTUnwrap(ready?["port"] as? Int, "peer said: \(readyLine)")

        try acme.addPartner(FolderTestParty.Partner(
            name: "pyas2", as2ID: py.as2ID, url: "http://127.0.0.1:\(port)/as2", certificate: py.certificatePath,
            extra: ["content_type": "\"application/edi-x12\"", "encrypt": "\"aes256-cbc\"", "sign": "\"sha256\""]
        ))
        try acme.writeConfiguration()
        let a = try start(acme)

        // Our agent → pyas2lib.
        let outgoing = FolderSupport.payload(size: 20_000, seed: 7)
        try FolderSupport.drop(outgoing, named: "to-pyas2.edi", into: acme.outbox("pyas2"))
        try expect(within: 30, "to-pyas2.edi in sent/ with its receipt", agents: [a]) {
            FileManager.default.fileExists(atPath: acme.sent("pyas2") + "/to-pyas2.edi")
                || !FolderSupport.files(in: acme.failed("pyas2")).isEmpty
        }
        XCTAssertEqual(FolderSupport.files(in: acme.failed("pyas2")), [], a.tail())
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: peerInbox + "/to-pyas2.edi")), outgoing)
        let receipt = try FolderSupport.json(acme.sent("pyas2") + "/to-pyas2.edi.mdn.json")
        let mdn = receipt["mdn"] as? [String: Any]
        XCTAssertEqual(mdn?["disposition_type"] as? String, "processed")
        XCTAssertEqual(mdn?["signature_verified"] as? Bool, true)
        XCTAssertEqual(mdn?["mic_matched"] as? Bool, true)

        // pyas2lib → our agent.
        let incoming = FolderSupport.payload(size: 15_000, seed: 8)
        let file = directory + "/from-pyas2.edi"
        try incoming.write(to: URL(fileURLWithPath: file))
        let client = Process()
        client.executableURL = URL(fileURLWithPath: python)
        client.arguments = [script, "send", "--url", acme.url, "--file", file, "--config", config, "--partner", "acme", "--timeout", "30"]
        let clientOut = Pipe()
        client.standardOutput = clientOut
        client.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try client.run()
        let result = clientOut.fileHandleForReading.readDataToEndOfFile()
        client.waitUntilExit()
        XCTAssertEqual(client.terminationStatus, 0, "pyas2lib client: \(String(decoding: result, as: UTF8.self))\n\(a.tail())")
        let inbox = acme.inbox("pyas2")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: inbox + "/from-pyas2.edi")), incoming)
        let sidecar = try FolderSupport.json(inbox + "/from-pyas2.edi.mdn.json")
        XCTAssertEqual(sidecar["as2_from"] as? String, "PYAS2")
        XCTAssertEqual((sidecar["security"] as? [String: Any])?["signed"] as? Bool, true)
        XCTAssertEqual((sidecar["security"] as? [String: Any])?["encrypted"] as? Bool, true)
        try input.fileHandleForWriting.close()
    }
}

extension FileHandle {
    /// Reads up to the next newline (blocking), for the peer's ready line.
    func readLine() -> Data {
        var line = Data()
        while true {
            let byte = readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { return line }
            line.append(byte)
        }
    }
}
