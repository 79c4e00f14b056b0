/// The version `--version` prints and packaging stamps.
enum AgentVersion {
    static let current = "0.1.0"
}
