import AS2Config
import ArgumentParser
import Foundation

/// `as2-agent check-config`: validates agent.conf and everything it names.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate agent.conf and the files it names.",
        discussion: """
            Checks TOML syntax, unknown keys (with a suggestion for likely typos), value types and \
            allowed values, AS2 names, partner names and URLs; that certificates and keys exist and \
            parse, passwords open their keys, keys match their certificates, certificates are valid \
            (expired: error; expiring within 30 days: warning); and that listen ports can be bound. \
            Each problem names its key (e.g. partner[globex].sign) and its line and column.

            Exits 0 when there are no errors (warnings allowed), 78 when there are.

            \(ExitStatus.helpText)
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(name: .long, help: "Print a JSON report (for scripts) instead of text.")
    var json = false

    @Flag(name: .long, help: "Do not try to bind the listen addresses.")
    var noPortCheck = false

    func run() throws {
        let report = ConfigurationValidator.report(path: options.path, checkPorts: !noPortCheck)
        if json {
            print(try CommandLineOutput.json(CheckConfigJSON(report)))
        } else {
            print(Self.text(report), terminator: "")
        }
        if !report.isValid { throw ExitStatus.configuration.exitCode }
    }

    /// The human-readable report: one compiler-style line per problem, then a summary.
    static func text(_ report: ConfigurationReport) -> String {
        var out = ""
        for problem in report.problems {
            var location = report.path + ":"
            if let line = problem.line { location += "\(line):" + (problem.column.map { "\($0):" } ?? "") }
            let key = problem.keyPath.isEmpty ? "" : "\(problem.keyPath): "
            out += "\(location) \(problem.severity.rawValue): \(key)\(problem.message)\n"
            if let suggestion = problem.suggestion { out += "    \(suggestion)\n" }
        }
        let counts = [
            report.errorCount > 0 ? plural(report.errorCount, "error") : nil,
            report.warningCount > 0 ? plural(report.warningCount, "warning") : nil,
        ].compactMap { $0 }.joined(separator: ", ")
        guard report.isValid, let configuration = report.configuration else {
            out += "\(report.path): invalid (\(counts.isEmpty ? "unusable" : counts))\n"
            return out
        }
        out += "\(report.path): OK\(counts.isEmpty ? "" : " (\(counts))")\n"
        out += summary(configuration)
        return out
    }

    /// Where the agent listens and where each partner's files go.
    static func summary(_ c: AgentConfiguration) -> String {
        var out = "  agent \"\(c.agent.as2ID)\": spool \(c.agent.spoolDirectory), state \(c.agent.stateDirectory)\n"
        if let listen = c.http.listen { out += "  AS2 endpoint: http://\(listen)\(c.http.path)\n" }
        if let tls = c.http.tls { out += "  AS2 endpoint: https://\(tls.listen)\(c.http.path)\n" }
        if let admin = c.http.adminListen { out += "  admin: http://\(admin)/healthz, /metrics\n" }
        if c.partners.isEmpty { out += "  no partners configured: the agent sends and accepts nothing\n" }
        for p in c.partners {
            let sign = p.outbound.sign?.rawValue ?? "unsigned"
            let encrypt = p.outbound.encrypt?.rawValue ?? "unencrypted"
            out += "  partner \(p.name) (\"\(p.as2ID)\") → \(p.url.absoluteString) [\(sign), \(encrypt), MDN \(p.outbound.mdn.rawValue)]\n"
            out += "    outbox \(p.folder(in: c.agent.spoolDirectory))/outbox\n"
        }
        return out
    }

    private static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
}
