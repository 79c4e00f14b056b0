import AS2Config
import AS2Journal
import ArgumentParser
import Foundation

/// `as2-agent message show ID`, `message resend ID` and `message evidence ID --out DIR`.
struct MessageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "message",
        abstract: "Show or resend one message.",
        discussion: """
            Inspect one message in the journal, export its evidence, or send its file again.

            \(ExitStatus.helpText)
            """,
        subcommands: [Show.self, Resend.self, MessageEvidenceCommand.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Timeline, files, receipt and evidence of one message (journal id or Message-ID).",
            discussion: ExitStatus.helpText
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Journal id or Message-ID.") var id: String
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let journal = try JournalAccess.open(options.path)
            let found = try await journal.find(idOrMessageID: id)
            guard let message = found.first else {
                FileHandle.standardError.write(Data("as2-agent: no message \(id)\n".utf8))
                throw ExitStatus.failure.exitCode
            }
            let events = try await journal.events(for: message.id)
            let iso = ISO8601DateFormatter()
            let summary = MessageSummary(message)
            if json {
                struct Detail: Codable {
                    var message: MessageSummary
                    var events: [[String: String]]
                }
                let e = events.map { ["at": iso.string(from: $0.at), "event": $0.kind.rawValue, "state": $0.state ?? "", "detail": $0.detail ?? ""] }
                print(try CommandLineOutput.json(Detail(message: summary, events: e)))
                return
            }
            print("message \(summary.id) (\(summary.direction), partner \(summary.partner))")
            print("  Message-ID:  \(summary.messageID)")
            print("  state:       \(summary.state)")
            if let file = summary.file { print("  file:        \(file) (\(summary.size ?? 0) bytes, sha256 \(summary.sha256 ?? "?"))") }
            if let d = summary.disposition { print("  receipt:     \(d)") }
            if let e = summary.error { print("  last error:  \(e)") }
            for p in summary.paths { print("  path:        \(p)") }
            if let e = summary.evidence { print("  evidence:    \(e)") }
            print("timeline:")
            for e in events { print("  \(iso.string(from: e.at))  \(e.kind.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \(e.detail ?? "")") }
        }
    }

    struct Resend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send an outbound message's file again, as a new message.",
            discussion: """
                Copies the file from sent/ or failed/ back into the partner's outbox/ (atomically), where \
                the running agent sends it with a new Message-ID.

                \(ExitStatus.helpText)
                """
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Journal id or Message-ID.") var id: String

        func run() async throws {
            let journal = try JournalAccess.open(options.path)
            guard case let .outbound(o)? = try await journal.find(idOrMessageID: id).first else {
                FileHandle.standardError.write(Data("as2-agent: no outbound message \(id)\n".utf8))
                throw ExitStatus.failure.exitCode
            }
            guard o.state.isFinal, let source = o.resultPaths.first, FileManager.default.fileExists(atPath: source) else {
                FileHandle.standardError.write(Data("as2-agent: message \(o.id) is \(o.state.rawValue); only finished messages whose file is still in sent/ or failed/ can be resent\n".utf8))
                throw ExitStatus.failure.exitCode
            }
            let configuration = try ConfigurationLoader.load(path: options.path)
            let outbox = configuration.agent.spoolDirectory + "/" + o.partner + "/outbox"
            let target = outbox + "/" + (o.originalPath as NSString).lastPathComponent
            let temp = outbox + "/.resend-\(o.id)-\(getpid()).part"
            try? FileManager.default.removeItem(atPath: temp)
            try FileManager.default.copyItem(atPath: source, toPath: temp)
            guard link(temp, target) == 0 else {
                try? FileManager.default.removeItem(atPath: temp)
                FileHandle.standardError.write(Data("as2-agent: \(target) exists already\n".utf8))
                throw ExitStatus.failure.exitCode
            }
            unlink(temp)
            print("queued \(target) again")
        }
    }
}
