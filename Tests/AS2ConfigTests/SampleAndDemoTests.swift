import Foundation
import XCTest

@testable import AS2Config

/// The shipped files: agent.conf.sample, the demo configurations and the reference docs.
final class SampleAndDemoTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    private func read(_ relative: String) throws -> String {
        try String(contentsOfFile: Self.root + "/" + relative, encoding: .utf8)
    }

    func testSampleLoadsAsShippedWithNoPartner() throws {
        let c = try ConfigurationLoader.load(text: try read("agent.conf.sample"), path: "/etc/as2-agent/agent.conf")
        XCTAssertEqual(c.agent.as2ID, "ACME")
        XCTAssertEqual(c.agent.identity, .pem(certificate: "/etc/as2-agent/keys/acme.crt", privateKey: "/etc/as2-agent/keys/acme.key", password: nil))
        XCTAssertEqual(c.agent.spoolDirectory, "/var/spool/as2-agent")
        XCTAssertEqual(c.agent.stateDirectory, "/var/lib/as2-agent")
        XCTAssertTrue(c.partners.isEmpty, "a fresh install exchanges nothing")
        XCTAssertEqual(c.http, HTTPSettings.default)
        XCTAssertEqual(c.journal, .default)
        XCTAssertEqual(c.folders, .default)
    }

    func testSampleWithItsExamplePartnerCommentedIn() throws {
        let sample = try read("agent.conf.sample")
        // The example partner's lines are "#key = value" (no space after "#").
        let enabled = sample.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("#"), let next = line.dropFirst().first, next.isLetter || next == "[" else { return String(line) }
            return String(line.dropFirst())
        }.joined(separator: "\n")
        XCTAssertNotEqual(enabled, sample)
        let c = try ConfigurationLoader.load(text: enabled, path: "/etc/as2-agent/agent.conf")
        let p = try XCTUnwrap(c.partner(named: "globex"))
        XCTAssertEqual(p.as2ID, "GLOBEX")
        XCTAssertEqual(p.url.absoluteString, "https://as2.globex.example/as2")
        XCTAssertEqual(p.certificate, "/etc/as2-agent/partners/globex.crt")
        XCTAssertEqual(p.outbound.sign, .sha256)
        XCTAssertEqual(p.outbound.encrypt, .aes256CBC)
        XCTAssertEqual(p.outbound.mdn, .sync)
        XCTAssertEqual(p.outbound.contentType, "application/edi-x12")
    }

    func testSampleDefaultsMatchTheCode() throws {
        // Uncommenting every "# key = value" line of the global tables must not change anything.
        let sample = try read("agent.conf.sample")
        let head = sample.components(separatedBy: "#[[partner]]")[0]
        let uncommented = head.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("# "), let key = line.dropFirst(2).split(separator: " ").first,
                ["log_level", "path", "mdn_path", "max_header_size", "max_headers_total", "max_header_count", "spool_threshold",
                 "request_timeout", "idle_timeout", "max_connections", "history_days", "duplicate_days", "ignore_prefixes", "ignore_suffixes", "rescan_interval",
                 "send_concurrency"].contains(String(key))
            else { return String(line) }
            return String(line.dropFirst(2))
        }.joined(separator: "\n")
        let a = try ConfigurationLoader.load(text: head, path: "/etc/as2-agent/agent.conf")
        let b = try ConfigurationLoader.load(text: uncommented, path: "/etc/as2-agent/agent.conf")
        XCTAssertNotEqual(head, uncommented)
        XCTAssertEqual(a, b)
    }

    func testDemoConfigurationsLoadAndPointIntoTheDemoFolder() throws {
        let acme = try ConfigurationLoader.load(path: Self.root + "/docs/demo/acme.conf")
        let globex = try ConfigurationLoader.load(path: Self.root + "/docs/demo/globex.conf")
        XCTAssertEqual(acme.agent.spoolDirectory, Self.root + "/demo/acme/spool")
        XCTAssertEqual(globex.agent.stateDirectory, Self.root + "/demo/globex/state")
        XCTAssertEqual(acme.partners.map(\.as2ID), [globex.agent.as2ID])
        XCTAssertEqual(globex.partners.map(\.as2ID), [acme.agent.as2ID])
        XCTAssertEqual(acme.partners[0].url.port, globex.http.listen?.port)
        XCTAssertEqual(globex.partners[0].url.port, acme.http.listen?.port)
        XCTAssertEqual(acme.partners[0].certificate, Self.root + "/demo/acme/partners/globex.crt")
        XCTAssertEqual(globex.http.asyncMDNReturnURL?.absoluteString, "http://127.0.0.1:4090/as2/mdn")
        let ports = [acme.http.listen, acme.http.adminListen, globex.http.listen, globex.http.adminListen].compactMap { $0?.port }
        XCTAssertEqual(Set(ports), [4080, 4081, 4090, 4091])
    }

    func testEveryKeyIsDocumentedInTheSampleAndTheReference() throws {
        let sample = try read("agent.conf.sample")
        let reference = try read("docs/configuration.md")
        for (table, keys) in ConfigurationSchema.keys {
            XCTAssertTrue(sample.contains(ConfigurationSchema.header(table)), table)
            for key in keys {
                let assignment = try NSRegularExpression(pattern: "^#? ?\(key) = ", options: .anchorsMatchLines)
                XCTAssertNotNil(
                    assignment.firstMatch(in: sample, range: NSRange(sample.startIndex..., in: sample)),
                    "\(table).\(key) missing from agent.conf.sample")
                XCTAssertTrue(reference.contains("| `\(key)` |"), "\(table).\(key) missing from docs/configuration.md")
            }
        }
    }
}
