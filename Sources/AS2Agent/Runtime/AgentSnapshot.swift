import AS2Config
import AS2Protocol

/// One consistent view of the configuration in force: our identity and the partners. Each request
/// or send works on one snapshot, so a reload never mixes old and new settings mid-message.
public struct AgentSnapshot: Sendable {
    public let configuration: AgentConfiguration
    public let identity: LocalIdentity
    public let partners: [PartnerRuntime]
    /// Every partner's outbox, in partner order (computed once: the folder service reads it per event).
    public let outboxes: [String]
    private let byName: [String: Int]
    private let byAS2ID: [String: Int]
    /// `<spool_dir>/`: what every partner's folder path starts with, before the partner's name.
    private let spoolPrefix: String

    /// Loads our keys and every partner's certificates; `certificates` shares each certificate
    /// file among the partners naming it (and with check-config's pass at start-up).
    public init(configuration: AgentConfiguration, certificates: CertificateFileCache = CertificateFileCache()) throws {
        self.configuration = configuration
        identity = try LocalIdentity.load(configuration.agent)
        let spool = configuration.agent.spoolDirectory
        partners = try configuration.partners.map { try PartnerRuntime.load($0, spoolDirectory: spool, certificates: certificates) }
        var byName: [String: Int] = [:]
        var byAS2ID: [String: Int] = [:]
        for (i, p) in partners.enumerated() {
            byName[p.name] = i
            byAS2ID[p.as2ID.value] = i
        }
        self.byName = byName
        self.byAS2ID = byAS2ID
        outboxes = partners.map(\.folders.outbox)
        spoolPrefix = partners.first.map { String($0.folders.root.dropLast($0.name.count)) } ?? ""
    }

    public func partner(named name: String) -> PartnerRuntime? { byName[name].map { partners[$0] } }

    /// The partner sending as `as2ID` (exact match; case-insensitive only where configured, R-ID-4).
    public func partner(as2ID: AS2Name) -> PartnerRuntime? {
        if let i = byAS2ID[as2ID.value] { return partners[i] }
        return partners.first { $0.configuration.interop.caseInsensitiveAS2ID && $0.as2ID.value.lowercased() == as2ID.value.lowercased() }
    }

    /// The partner whose folder tree contains `path`: the name after `<spool_dir>/`, looked up
    /// (partner names hold no `/`, so at most one partner's tree matches).
    public func partner(owning path: String) -> PartnerRuntime? {
        guard !spoolPrefix.isEmpty, path.utf8.starts(with: spoolPrefix.utf8) else { return nil }
        let rest = path.utf8.dropFirst(spoolPrefix.utf8.count)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")), let name = String(rest[..<slash]) else { return nil }
        return partner(named: name)
    }
}
