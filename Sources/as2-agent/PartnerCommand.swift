import AS2Agent
import AS2Config
import ArgumentParser
import Foundation
import Logging

/// `as2-agent partner test NAME`.
struct PartnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner",
        abstract: "Check a trading partner's connection.",
        discussion: """
            Checks against a live partner.

            \(ExitStatus.helpText)
            """,
        subcommands: [Test.self]
    )

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a signed test message to a partner and verify its receipt.",
            discussion: """
                Connects to the partner's URL (TLS verified as configured), sends a small signed (and, as \
                configured, encrypted) text message asking for a signed synchronous receipt, and checks \
                the receipt's signature and MIC. Nothing is written to the folders or the journal; the \
                partner does receive a file named as2-agent-test.txt.

                \(ExitStatus.helpText)
                """
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The partner's name.") var name: String
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let configuration: AgentConfiguration
            do {
                configuration = try ConfigurationLoader.load(path: options.path)
            } catch {
                FileHandle.standardError.write(Data("as2-agent: \(error)\n".utf8))
                throw ExitStatus.configuration.exitCode
            }
            let logger = Logger(label: "partner-test", factory: { _ in SwiftLogNoOpLogHandler() })
            let report = try await PartnerProbe(configuration: configuration, version: AgentVersion.current, logger: logger).run(partner: name)
            if json {
                print(try CommandLineOutput.json(report))
            } else {
                print("partner \(report.partner) at \(report.url)")
                if let s = report.httpStatus { print("  HTTP \(s) in \(String(format: "%.3f", report.seconds ?? 0)) s") }
                if let r = report.receipt { print("  receipt: \(r) (signed: \(report.receiptSigned ?? false), verified: \(report.receiptVerified ?? false), MIC matched: \(report.micMatched.map { "\($0)" } ?? "n/a"))") }
                if let e = report.error { print("  \(report.ok ? "note" : "error"): \(e)") }
                print(report.ok ? "OK" : "FAILED")
            }
            if !report.ok { throw ExitStatus.failure.exitCode }
        }
    }
}
