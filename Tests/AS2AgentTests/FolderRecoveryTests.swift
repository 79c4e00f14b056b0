#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Issue 5: crashes, reloads and a dying watcher lose no file and deliver none twice.
final class FolderRecoveryTests: FolderTestCase {
    /// `kill -9` of the sender and the receiver at random points of a 200-file run, then restart:
    /// every file ends in exactly one of sent/ or failed/, each sent one exactly once in the
    /// inbox, whole and with its sidecar.
    func testKillingSenderAndReceiverMidRunLosesAndDuplicatesNothing() throws {
        let (acme, globex) = try pair(acme: ["send_concurrency": "8"])
        let a = try start(acme)
        let g = try start(globex)
        let count = 200
        let staging = directory + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for i in 0..<count { try Data("payload \(i)\n".utf8).write(to: URL(fileURLWithPath: staging + "/m\(i).txt")) }
        for i in 0..<count { XCTAssertEqual(rename(staging + "/m\(i).txt", acme.outbox("globex") + "/m\(i).txt"), 0) }

        var generator = SystemRandomNumberGenerator()
        for round in 0..<6 {
            usleep(UInt32.random(in: 200_000...900_000, using: &generator))
            let victim = round % 2 == 0 ? a : g
            victim.kill()
            usleep(UInt32.random(in: 50_000...300_000, using: &generator))
            try restart(victim)
        }
        let sent = acme.sent("globex")
        let failed = acme.failed("globex")
        try expect(within: 120, "\(count) files finished on ACME", agents: [a, g]) {
            FolderSupport.documents(in: sent).count + FolderSupport.documents(in: failed).count >= count
        }
        let inbox = globex.inbox("acme")
        try expect(within: 30, "every sent file in GLOBEX's inbox", agents: [a, g]) {
            FolderSupport.documents(in: inbox).count >= FolderSupport.documents(in: sent).count
        }
        let sentNames = Set(FolderSupport.documents(in: sent))
        let failedNames = Set(FolderSupport.documents(in: failed))
        XCTAssertEqual(sentNames.union(failedNames), Set((0..<count).map { "m\($0).txt" }))
        XCTAssertTrue(sentNames.isDisjoint(with: failedNames), "in both sent/ and failed/: \(sentNames.intersection(failedNames))")
        XCTAssertEqual(failedNames, [], "with 60 retries nothing should fail: \(failedNames)")
        for name in sentNames { XCTAssertTrue(FileManager.default.fileExists(atPath: sent + "/" + name + ".mdn.json"), "sidecar of sent/\(name)") }
        for name in failedNames { XCTAssertTrue(FileManager.default.fileExists(atPath: failed + "/" + name + ".error.json"), "sidecar of failed/\(name)") }
        // Exactly once in the inbox: by content, since a duplicate would get a -1 name.
        var copies: [String: Int] = [:]
        for name in FolderSupport.documents(in: inbox) {
            let text = try String(contentsOfFile: inbox + "/" + name, encoding: .utf8)
            copies[text, default: 0] += 1
            XCTAssertTrue(FileManager.default.fileExists(atPath: inbox + "/" + name + ".mdn.json"), "sidecar of inbox/\(name)")
        }
        let duplicated = copies.filter { $0.value > 1 }.map(\.key)
        XCTAssertEqual(duplicated, [], "delivered more than once")
        for name in sentNames {
            let number = name.dropFirst().dropLast(4)
            XCTAssertEqual(copies["payload \(number)\n"], 1, "\(name) in the inbox exactly once")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: acme.outbox("globex")).filter { $0 != ".as2" }, [])
    }

    /// SIGHUP adds a partner (folders created, files sent) and removes one (its outbox no longer
    /// sent from).
    func testReloadAddsAndRemovesAPartner() throws {
        let (acme, globex) = try pair()
        let initech = try party("initech", as2ID: "INITECH")
        try initech.trust(acme)
        try initech.writeConfiguration()
        let a = try start(acme)
        let g = try start(globex)
        let i = try start(initech)
        XCTAssertFalse(FileManager.default.fileExists(atPath: acme.outbox("initech")))

        try acme.trust(initech)
        try acme.writeConfiguration()
        a.signal(SIGHUP)
        try expect(within: 10, "initech's outbox created by the reload", agents: [a]) { FileManager.default.fileExists(atPath: acme.outbox("initech")) }
        try FolderSupport.drop(Data("to initech\n".utf8), named: "hello.txt", into: acme.outbox("initech"))
        try expect(within: 30, "hello.txt received by INITECH", agents: [a, i]) {
            FileManager.default.fileExists(atPath: initech.inbox("acme") + "/hello.txt")
                && FileManager.default.fileExists(atPath: acme.sent("initech") + "/hello.txt")
        }
        XCTAssertEqual(try String(contentsOfFile: initech.inbox("acme") + "/hello.txt", encoding: .utf8), "to initech\n")

        acme.partners.removeAll { $0.name == "globex" }
        try acme.writeConfiguration()
        a.signal(SIGHUP)
        try expect(within: 10, "reload logged", agents: [a]) { a.tail(lines: 200).components(separatedBy: "configuration reloaded").count > 2 }
        try FolderSupport.drop(Data("stays\n".utf8), named: "stays.txt", into: acme.outbox("globex"))
        try FolderSupport.drop(Data("still to initech\n".utf8), named: "after.txt", into: acme.outbox("initech"))
        try expect(within: 30, "after.txt received by INITECH", agents: [a, i]) {
            FileManager.default.fileExists(atPath: initech.inbox("acme") + "/after.txt")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: acme.outbox("globex") + "/stays.txt"), "a removed partner's outbox is not sent from")
        XCTAssertEqual(FolderSupport.documents(in: globex.inbox("acme")), [])
        _ = g
    }

    /// The watcher program killed (twice) while files arrive: its restart rescans, nothing is lost.
    func testKilledWatcherProgramLosesNoFile() throws {
        let (acme, globex) = try pair()
        let a = try start(acme)
        let g = try start(globex)
        var names: [String] = []
        for round in 0..<3 {
            let watchers = a.watcherPIDs()
            XCTAssertEqual(watchers.count, 1, "one as2-agent-watch child in round \(round)")
            for pid in watchers { kill(pid, SIGKILL) }
            for k in 0..<10 {
                let name = "r\(round)-\(k).txt"
                names.append(name)
                try FolderSupport.drop(Data("\(name)\n".utf8), named: name, into: acme.outbox("globex"))
            }
            try expect(within: 30, "round \(round) delivered", agents: [a, g]) {
                Set(FolderSupport.documents(in: globex.inbox("acme"))) == Set(names)
                    && Set(FolderSupport.documents(in: acme.sent("globex"))) == Set(names)
            }
            try expect(within: 10, "the watcher restarted", agents: [a]) { a.watcherPIDs().count == 1 && a.watcherPIDs() != watchers }
        }
    }
}
