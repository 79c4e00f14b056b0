import Foundation
import XCTest

/// Base of the folder end-to-end tests: a fresh temporary folder per test, two agent processes
/// ACME and GLOBEX trusting each other, and every started process killed when the test ends.
class FolderTestCase: XCTestCase {
    var directory = ""
    private var processes: [FolderAgentProcess] = []

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "as2-folder-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for p in processes { p.kill() }
        processes = []
        if (testRun?.totalFailureCount ?? 1) == 0 {
            try? FileManager.default.removeItem(atPath: directory)
        } else {
            print("folder test kept its files in \(directory)")
        }
        super.tearDown()
    }

    func party(_ name: String, as2ID: String) throws -> FolderTestParty {
        try FolderTestParty(name: name, as2ID: as2ID, root: directory + "/" + name)
    }

    /// ACME and GLOBEX, each the other's partner, configurations written (not started).
    func pair(acme acmeExtra: [String: String] = [:], globex globexExtra: [String: String] = [:]) throws -> (FolderTestParty, FolderTestParty) {
        let acme = try party("acme", as2ID: "ACME")
        let globex = try party("globex", as2ID: "GLOBEX")
        try acme.trust(globex, acmeExtra)
        try globex.trust(acme, globexExtra)
        try acme.writeConfiguration()
        try globex.writeConfiguration()
        return (acme, globex)
    }

    /// Starts (and tracks) the agent of `party`.
    @discardableResult
    func start(_ party: FolderTestParty) throws -> FolderAgentProcess {
        let agent = party.agent()
        processes.append(agent)
        try agent.start()
        return agent
    }

    /// Restarts a stopped or killed agent, still tracked.
    func restart(_ agent: FolderAgentProcess) throws {
        if !processes.contains(where: { $0 === agent }) { processes.append(agent) }
        try agent.start()
    }

    /// Waits until `condition` holds, failing with the agents' logs when it does not.
    func expect(within timeout: TimeInterval, _ what: String, agents: [FolderAgentProcess] = [], file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool) rethrows {
        if try FolderSupport.wait(timeout: timeout, condition) { return }
        let logs = (agents.isEmpty ? processes : agents).map { "--- \($0.configPath)\n\($0.tail())" }.joined(separator: "\n")
        XCTFail("timed out after \(timeout) s waiting for: \(what)\n\(logs)", file: file, line: line)
    }
}
