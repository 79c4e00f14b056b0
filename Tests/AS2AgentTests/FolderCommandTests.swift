import Foundation
import XCTest

/// Issue 5: `as2-agent send`, `messages` and `message show` against running agents.
final class FolderCommandTests: FolderTestCase {
    func testSendWithoutARunningAgentSaysSoAndQueuesNothing() throws {
        let (acme, _) = try pair()
        let file = directory + "/invoice.edi"
        try Data("ISA*00*\n".utf8).write(to: URL(fileURLWithPath: file))
        let result = try FolderCLI.run(["send", file, "--partner", "globex", "--config", acme.configPath, "--timeout", "5"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("no agent answers on the admin listener"), result.stderr)
        XCTAssertTrue(result.stderr.contains("as2-agent run"), result.stderr)
        XCTAssertEqual(FolderSupport.files(in: acme.outbox("globex")), [])
    }

    func testSendDeliversAndMessagesAndMessageShowTellWhatHappened() throws {
        let (acme, globex) = try pair()
        let a = try start(acme)
        let g = try start(globex)
        let file = directory + "/invoice.edi"
        let data = FolderSupport.payload(size: 4000, seed: 42)
        try data.write(to: URL(fileURLWithPath: file))
        let sent = try FolderCLI.run(["send", file, "--partner", "globex", "--config", acme.configPath, "--timeout", "60"])
        XCTAssertEqual(sent.status, 0, "stdout: \(sent.stdout)\nstderr: \(sent.stderr)\n\(a.tail())\n\(g.tail())")
        XCTAssertTrue(sent.stdout.contains("delivered: "), sent.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: acme.sent("globex") + "/invoice.edi")), data)
        XCTAssertTrue(FileManager.default.fileExists(atPath: acme.sent("globex") + "/invoice.edi.mdn.json"))
        try expect(within: 10, "received by GLOBEX") { FileManager.default.fileExists(atPath: globex.inbox("acme") + "/invoice.edi") }

        let list = try FolderCLI.run(["messages", "--config", acme.configPath])
        XCTAssertEqual(list.status, 0, list.stderr)
        let line = list.stdout.split(separator: "\n").first { $0.contains("invoice.edi") }
        XCTAssertNotNil(line, list.stdout)
        XCTAssertTrue(line?.contains("outbound") ?? false, list.stdout)
        XCTAssertTrue(line?.contains("delivered") ?? false, list.stdout)

        let json = try FolderCLI.run(["messages", "--config", acme.configPath, "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let row = try XCTUnwrap(rows?.first)
        let messageID = try XCTUnwrap(row["message_id"] as? String ?? row["messageID"] as? String, "\(row)")

        let show = try FolderCLI.run(["message", "show", messageID, "--config", acme.configPath])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains(messageID), show.stdout)
        XCTAssertTrue(show.stdout.contains("delivered"), show.stdout)

        let inbound = try FolderCLI.run(["messages", "--config", globex.configPath, "--direction", "inbound"])
        XCTAssertEqual(inbound.status, 0, inbound.stderr)
        XCTAssertTrue(inbound.stdout.contains(messageID) || inbound.stdout.contains("invoice.edi"), inbound.stdout)

        let missing = try FolderCLI.run(["message", "show", "<nope@example>", "--config", acme.configPath])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no message"), missing.stderr)

        // SIGTERM: both agents drain and exit 0 (a hang here is a shutdown bug).
        XCTAssertEqual(a.stop(timeout: 15), 0, a.tail())
        XCTAssertEqual(g.stop(timeout: 15), 0, g.tail())
    }
}
