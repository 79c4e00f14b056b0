import AS2Config
import AS2Journal
import ArgumentParser
import Foundation

/// `as2-agent messages`: recent journal rows.
struct MessagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messages",
        abstract: "List recent messages from the journal.",
        discussion: """
            Newest first. Filters combine. States: queued, sending, awaiting_mdn, retry_scheduled, \
            delivered, delivered_with_warning, failed (outbound); processing, delivered, rejected \
            (inbound); mdn_pending, mdn_sent, mdn_failed (async receipts we owe).

            \(ExitStatus.helpText)
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @Option(help: "Only this partner.") var partner: String?
    @Option(help: "Only this state.") var state: String?
    @Option(help: "Only inbound or outbound.") var direction: String?
    @Option(help: "File name contains this text.") var filename: String?
    @Option(help: "Payload sha256 (hex).") var sha256: String?
    @Option(help: "At most this many rows.") var limit: Int = 50
    @Flag(help: "JSON output.") var json = false

    func validate() throws {
        if let direction, MessageDirection(rawValue: direction) == nil { throw ValidationError("--direction is inbound or outbound") }
    }

    func run() async throws {
        let journal = try JournalAccess.open(options.path)
        let rows = try await journal.recent(
            limit: limit, partner: partner, state: state, direction: direction.flatMap(MessageDirection.init(rawValue:)),
            filename: filename, sha256: sha256
        )
        if json {
            print(try CommandLineOutput.json(rows.map(MessageSummary.init)))
            return
        }
        if rows.isEmpty {
            print("no messages")
            return
        }
        print("ID      DIRECTION  PARTNER          STATE                    UPDATED               FILE / MESSAGE-ID")
        for r in rows.map(MessageSummary.init) {
            print(
                String(r.id).padding(toLength: 8, withPad: " ", startingAt: 0)
                    + r.direction.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + r.partner.padding(toLength: 17, withPad: " ", startingAt: 0)
                    + r.state.padding(toLength: 25, withPad: " ", startingAt: 0)
                    + r.updatedAt.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + (r.file ?? r.messageID)
            )
        }
    }
}

/// Opens the journal named by agent.conf.
enum JournalAccess {
    static func open(_ configPath: String) throws -> Journal {
        let configuration: AgentConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: configPath)
        } catch {
            FileHandle.standardError.write(Data("as2-agent: \(error)\n".utf8))
            throw ExitStatus.configuration.exitCode
        }
        let path = configuration.agent.stateDirectory + "/journal.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            FileHandle.standardError.write(Data("as2-agent: no journal at \(path) yet (the agent has not run)\n".utf8))
            throw ExitStatus.failure.exitCode
        }
        return try Journal.open(path: path)
    }
}

/// One journal row, flattened for output.
struct MessageSummary: Codable {
    var id: Int64
    var direction: String
    var partner: String
    var messageID: String
    var state: String
    var file: String?
    var size: Int64?
    var sha256: String?
    var attempts: Int?
    var error: String?
    var disposition: String?
    var createdAt: String
    var updatedAt: String
    var paths: [String]
    var evidence: String?

    enum CodingKeys: String, CodingKey {
        case id, direction, partner, state, file, size, sha256, attempts, error, disposition, paths, evidence
        case messageID = "message_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ m: JournalMessage) {
        let iso = ISO8601DateFormatter()
        switch m {
        case let .outbound(o):
            id = o.id
            direction = "outbound"
            partner = o.partner
            messageID = o.messageID
            state = o.state.rawValue
            file = o.originalPath
            size = o.payloadSize
            sha256 = o.payloadSHA256
            attempts = o.attempts
            error = o.lastError
            disposition = o.mdn?.disposition
            createdAt = iso.string(from: o.createdAt)
            updatedAt = iso.string(from: o.updatedAt)
            paths = o.resultPaths
        case let .inbound(i):
            id = i.id
            direction = "inbound"
            partner = i.partner
            messageID = i.messageID
            state = i.state.rawValue + (i.asyncMDN.map { " (\($0.state.rawValue))" } ?? "")
            file = i.document?.paths.first.map { ($0 as NSString).lastPathComponent }
            size = i.document?.size
            sha256 = i.document?.sha256
            attempts = nil
            error = i.asyncMDN?.lastError
            disposition = i.disposition
            createdAt = iso.string(from: i.createdAt)
            updatedAt = iso.string(from: i.updatedAt)
            paths = (i.document?.paths ?? []) + i.evidencePaths
            if i.signedEntity != nil { evidence = "signed entity (\(i.signedEntity?.count ?? 0) bytes) and signer certificate in the journal: as2-agent message evidence \(i.id) --out DIR" }
        }
    }
}
