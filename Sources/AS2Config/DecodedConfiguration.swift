/// The result of decoding agent.conf: the typed configuration when the required parts are usable
/// (even if other values had errors and fell back to defaults), every problem found, and where
/// each decoded partner sits in the file.
struct DecodedConfiguration: Sendable {
    let configuration: AgentConfiguration?
    let problems: [ConfigurationProblem]
    let locator: TOMLSourceLocator
    /// Locator path (`partner#2`) and displayed path (`partner[globex]`) of each partner in
    /// `configuration.partners`, in the same order.
    let partnerPaths: [TablePath]

    var hasErrors: Bool { problems.contains { $0.severity == .error } }
}
