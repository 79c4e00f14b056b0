import Foundation

/// Temp files a crash left behind, found for the start-up sweeps of the spool folders
/// (`PartnerFolders.removeStaleTemporaryFiles`) and of the agent's own folders.
public enum StaleFiles {
    /// Files under `dir` (and its folders, down to `depth` levels) whose name `matches` and that
    /// were last modified more than `age` before `now`. Folders that cannot be read are skipped.
    /// At the deepest level only candidates are looked at: a folder of many other files (years of
    /// evidence) costs one listing.
    public static func find(
        under dir: String, depth: Int = .max, olderThan age: TimeInterval, now: Date = Date(), matching matches: (String) -> Bool
    ) -> [String] {
        let limit = Int64((now.timeIntervalSince1970 - age) * 1_000_000_000)
        var found: [String] = []
        func walk(_ dir: String, depth: Int) {
            guard let entries = try? SpoolFileSystem.list(dir) else { return }
            for entry in entries {
                guard let name = entry.name else { continue }
                let path = dir + "/" + name
                guard matches(name) || depth > 0, let status = SpoolFileSystem.status(path) else { continue }
                if status.kind == .directory {
                    if depth > 0 { walk(path, depth: depth - 1) }
                } else if matches(name), status.modified < limit {
                    found.append(path)
                }
            }
        }
        walk(dir, depth: depth)
        return found
    }
}
