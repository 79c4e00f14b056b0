import AS2Bytes
import Foundation

extension PartnerFolders {
    /// Removes temp files a crash left behind: everything in `.as2/tmp/`, and the agent's
    /// `.tmp-*.part` / `.as2-in-*.part` files in `inbox/`, `sent/` and `failed/` (any depth),
    /// when older than `age`. Returns the removed paths. Run it at start.
    @discardableResult
    public func removeStaleTemporaryFiles(olderThan age: TimeInterval = 3600, now: Date = Date()) throws -> [String] {
        let limit = Int64((now.timeIntervalSince1970 - age) * 1_000_000_000)
        var removed: [String] = []
        func sweep(_ dir: String, everything: Bool) throws {
            guard let entries = try? SpoolFileSystem.list(dir) else { return }
            for entry in entries {
                guard let name = entry.name else { continue }
                let path = dir + "/" + name
                guard let status = SpoolFileSystem.status(path) else { continue }
                if status.kind == .directory {
                    try sweep(path, everything: everything)
                    continue
                }
                let ours = (name.hasPrefix(".tmp-") || name.hasPrefix(".as2-in-")) && name.hasSuffix(".part")
                if (everything || ours) && status.modified < limit {
                    try FileSystem.remove(path)
                    removed.append(path)
                }
            }
        }
        try SpoolError.wrapping("removing stale temp files of \(partner)") {
            try sweep(tmp, everything: true)
            for dir in [inbox, sent, failed] { try sweep(dir, everything: false) }
        }
        return removed
    }
}
