/// The whole of agent.conf as typed values: everything the agent reads comes from here, with
/// defaults applied, paths absolute and secrets read from their files.
public struct AgentConfiguration: Sendable, Equatable {
    /// Absolute path of the file this configuration was loaded from.
    public var path: String
    public var agent: AgentSettings
    public var http: HTTPSettings
    public var journal: JournalSettings
    public var folders: FolderSettings
    public var partners: [PartnerConfiguration]

    public init(
        path: String, agent: AgentSettings, http: HTTPSettings = .default, journal: JournalSettings = .default,
        folders: FolderSettings = .default, partners: [PartnerConfiguration] = []
    ) {
        self.path = path
        self.agent = agent
        self.http = http
        self.journal = journal
        self.folders = folders
        self.partners = partners
    }

    public func partner(named name: String) -> PartnerConfiguration? {
        partners.first { $0.name == name }
    }

    /// The partner whose AS2 name matches a decoded AS2-From value (exact unless that partner
    /// opted into case-insensitive matching).
    public func partner(as2ID: String) -> PartnerConfiguration? {
        partners.first { $0.as2ID == as2ID } ?? partners.first { $0.matches(as2ID: as2ID) }
    }
}
