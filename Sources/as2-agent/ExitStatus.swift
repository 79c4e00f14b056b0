import ArgumentParser

/// The one exit-status table of every as2-agent command (also in `--help` and docs/cli.md).
enum ExitStatus: Int32, CaseIterable {
    /// The command did what was asked.
    case success = 0
    /// The operation failed, or its input (a file, a message) is invalid.
    case failure = 1
    /// A receipt (MDN) was verified but reports a failure (negative disposition).
    case negativeReceipt = 2
    /// Wrong command line: unknown option, missing or malformed argument.
    case usage = 64
    /// agent.conf is missing, unreadable or invalid (EX_CONFIG).
    case configuration = 78

    var exitCode: ExitCode { ExitCode(rawValue) }

    /// The table as printed at the end of each command's `--help`.
    static let helpText = """
        EXIT STATUS:
          0   success
          1   the operation failed, or its input is invalid
          2   a receipt (MDN) was verified, but it is negative
          64  usage error (unknown option, missing or malformed argument)
          78  configuration error (agent.conf missing, unreadable or invalid)
        """
}
