import AS2Bytes
import Foundation

extension PartnerFolders {
    /// Removes temp files a crash left behind: everything in `.as2/tmp/`, and the agent's
    /// `.tmp-*.part` / `.as2-in-*.part` files in `inbox/`, `sent/` and `failed/` (any depth),
    /// when older than `age`. Returns the removed paths. Run it at start.
    @discardableResult
    public func removeStaleTemporaryFiles(olderThan age: TimeInterval = 3600, now: Date = Date()) throws -> [String] {
        var removed: [String] = []
        func remove(under dir: String, matching matches: (String) -> Bool) throws {
            for path in StaleFiles.find(under: dir, olderThan: age, now: now, matching: matches) {
                try FileSystem.remove(path)
                removed.append(path)
            }
        }
        try SpoolError.wrapping("removing stale temp files of \(partner)") {
            try remove(under: tmp) { _ in true }
            for dir in [inbox, sent, failed] {
                try remove(under: dir) { ($0.hasPrefix(".tmp-") || $0.hasPrefix(".as2-in-")) && $0.hasSuffix(".part") }
            }
        }
        return removed
    }
}
