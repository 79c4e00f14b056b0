import AS2Bytes

/// The folders of one partner under the spool root (DESIGN.md §2): `outbox/` where users drop
/// files, `sent/`, `failed/`, `inbox/`, and the agent's work area `.as2/` (claims, temp files).
public struct PartnerFolders: Sendable, Hashable, Codable {
    public let spoolRoot: String
    public let partner: String

    /// Validates `partner` against the short-name rule `[a-z0-9][a-z0-9._-]*` (never a path).
    public init(spoolRoot: String, partner: String) throws {
        guard Self.isValidPartnerName(partner) else {
            throw SpoolError(.invalidPartnerName, "partner name \"\(partner)\" must match [a-z0-9][a-z0-9._-]*")
        }
        var root = spoolRoot
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.spoolRoot = root
        self.partner = partner
    }

    public static func isValidPartnerName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 128 else { return false }
        func lowerAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) }
        guard lowerAlnum(first) else { return false }
        return name.utf8.allSatisfy { lowerAlnum($0) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }
    }

    public var root: String { spoolRoot == "/" ? "/\(partner)" : "\(spoolRoot)/\(partner)" }
    public var outbox: String { root + "/outbox" }
    public var sent: String { root + "/sent" }
    public var failed: String { root + "/failed" }
    public var inbox: String { root + "/inbox" }
    /// The agent's own working area; nothing in it is user-facing.
    public var work: String { root + "/" + Self.workFolderName }
    /// Claimed outbox files: `.as2/claims/<id>~<name>`, or a claim folder `.as2/claims/<id>/`.
    public var claims: String { work + "/claims" }
    /// Temp files that become documents by rename(2) within the same filesystem.
    public var tmp: String { work + "/tmp" }

    /// The name of the work area, skipped by every scan.
    public static let workFolderName = ".as2"

    /// Creates the partner's folder and its outbox (mode 0750): what watching needs.
    public func createOutbox() throws {
        try SpoolError.wrapping("creating \(outbox)") { try FileSystem.createDirectory(outbox, mode: 0o750) }
    }

    /// Creates `sent/`, `failed/` and `inbox/` (mode 0750), where users look for results. The work
    /// area (`.as2/claims`, `.as2/tmp`) is left to the code that first writes there, which
    /// creates every folder it writes into anyway.
    public func createResultFolders() throws {
        for dir in [sent, failed, inbox] {
            try SpoolError.wrapping("creating \(dir)") { try FileSystem.createDirectory(dir, mode: 0o750) }
        }
    }

    /// Creates every folder (mode 0750); existing ones are left as they are. Only the innermost
    /// are named: their parents (`root`, `work`) are created on the way, with the same mode.
    public func create() throws {
        for dir in [outbox, sent, failed, inbox, claims, tmp] {
            try SpoolError.wrapping("creating \(dir)") { try FileSystem.createDirectory(dir, mode: 0o750) }
        }
    }
}
