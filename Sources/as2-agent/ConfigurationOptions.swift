import AS2Config
import ArgumentParser

/// `--config PATH`, shared by every command that reads agent.conf.
struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The agent.conf to use (default: $\(ConfigurationLoader.environmentVariable), else \(ConfigurationLoader.defaultPath)).",
            valueName: "path"))
    var config: String?

    /// Absolute path of the configuration file to read.
    var path: String { ConfigurationLoader.resolvePath(explicit: config) }
}
