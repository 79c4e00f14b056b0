/// Which names in an outbox are not (yet) documents: dot files and the usual temp suffixes, so
/// writers can write under a temp name and rename (DESIGN.md §2). Names that look like our own
/// sidecars are not ignored in an outbox (users may send anything), but the `.as2` work area
/// always is, whatever the configured prefixes.
public struct IgnoreRules: Sendable, Hashable, Codable {
    /// Names starting with one of these are ignored (empty strings are dropped).
    public let prefixes: [String]
    /// Names ending with one of these are ignored, compared without regard to ASCII case.
    public let suffixes: [String]

    public init(prefixes: [String] = ["."], suffixes: [String] = [".tmp", ".part", ".filepart", "~"]) {
        self.prefixes = prefixes.filter { !$0.isEmpty }
        self.suffixes = suffixes.filter { !$0.isEmpty }
    }

    /// The documented defaults: `.` prefix; `.tmp`, `.part`, `.filepart`, `~` suffixes.
    public static let standard = IgnoreRules()

    /// True when a single file or folder name is ignored.
    public func ignores(name: String) -> Bool {
        if name == PartnerFolders.workFolderName || name.isEmpty { return true }
        if prefixes.contains(where: { name.hasPrefix($0) }) { return true }
        let lower = name.lowercased()
        return suffixes.contains { lower.hasSuffix($0.lowercased()) }
    }

    /// True when any component of `relativePath` (a path inside an outbox, `/`-separated) is
    /// ignored: a file inside an ignored folder is ignored too.
    public func ignores(relativePath: String) -> Bool {
        relativePath.split(separator: "/", omittingEmptySubsequences: true).contains { ignores(name: String($0)) }
    }
}
