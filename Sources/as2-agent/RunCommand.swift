import AS2Agent
import AS2Config
import ArgumentParser
import Foundation
import Logging

/// `as2-agent run`: the daemon, in the foreground.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent in the foreground (what the systemd unit starts).",
        discussion: """
            Listens for AS2 messages, watches every partner's outbox/ and sends what appears there, \
            delivers received documents into inbox/ with their receipts. Logs to stderr, one line per \
            event. SIGHUP reloads the configuration; SIGTERM or SIGINT stop accepting new work and \
            let messages in flight finish. /healthz on the admin listener answers 200 once the agent \
            listens and watches.

            \(ExitStatus.helpText)
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: ArgumentHelp("Path of the as2-agent-watch program (default: next to as2-agent, else /usr/lib/as2-agent).", valueName: "path"))
    var watcher: String?

    func run() async throws {
        // The checked configuration and the certificates read for the check start the agent:
        // the file is decoded, and each certificate file parsed, once.
        let certificates = CertificateFileCache()
        let report = ConfigurationValidator.report(path: options.path, checkPorts: false, certificates: certificates)
        guard report.isValid, let configuration = report.configuration else {
            FileHandle.standardError.write(Data(CheckConfigCommand.text(report).utf8))
            throw ExitStatus.configuration.exitCode
        }
        let level = Logger.Level(rawValue: configuration.agent.logLevel.rawValue) ?? .info
        LoggingSystem.bootstrap { StderrLogHandler(label: $0, level: level) }
        let logger = Logger(label: "as2-agent")
        let agent: Agent
        do {
            agent = try Agent(
                configuration: configuration, configurationPath: options.path, version: AgentVersion.current, logger: logger,
                watcherExecutable: watcher, certificates: certificates)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitStatus.configuration.exitCode
        }
        do {
            try await agent.run()
        } catch {
            logger.critical("stopped on an error", metadata: ["error": "\(error)"])
            throw ExitStatus.failure.exitCode
        }
    }
}
