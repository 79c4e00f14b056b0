import ArgumentParser

/// `as2-agent keys`: our key and certificate, and certificates exchanged with partners.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate keys and certificates, make requests, show and export certificates.",
        discussion: ExitStatus.helpText,
        subcommands: [KeysGenerateCommand.self, KeysCSRCommand.self, KeysShowCommand.self, KeysExportCommand.self]
    )
}
