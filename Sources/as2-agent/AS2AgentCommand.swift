import ArgumentParser

/// The `as2-agent` command line: one subcommand per file, listed here.
@main
struct AS2AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "as2-agent",
        abstract: "An AS2 (RFC 4130) agent: exchanges business documents with trading partners.",
        discussion: """
            Configuration: /etc/as2-agent/agent.conf (TOML), or the file named by --config or \
            $AS2_AGENT_CONFIG. Start with `as2-agent check-config`.

            \(ExitStatus.helpText)
            """,
        version: AgentVersion.current,
        subcommands: [
            RunCommand.self, SendCommand.self, MessagesCommand.self, MessageCommand.self, PartnerCommand.self,
            InspectCommand.self, CheckConfigCommand.self, KeysCommand.self,
        ]
    )
}
