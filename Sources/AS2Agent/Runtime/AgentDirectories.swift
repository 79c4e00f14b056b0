import AS2Bytes
import Foundation

/// The agent's own files under the state directory (docs/operations.md lists them for backups).
public struct AgentDirectories: Sendable {
    public let state: String
    public var journal: String { state + "/journal.sqlite" }
    /// Scratch space for decrypted and decompressed layers (same filesystem as the spool is not required).
    public var work: String { state + "/work" }
    /// Bodies received over HTTP, spooled while they are processed.
    public var httpSpool: String { state + "/http-spool" }
    /// Exact bytes of each outbound message, kept for resends with the same Message-ID (R-RS-1).
    public var outbound: String { state + "/outbound" }
    /// Evidence of origin for received messages: signed entity as received + signer certificate.
    public var evidence: String { state + "/evidence" }

    public init(state: String) { self.state = state }

    public func create() throws {
        for d in [state, work, httpSpool, outbound, evidence] { try FileSystem.createDirectory(d, mode: 0o750) }
    }

    public func outboundBody(id: Int64) -> String { outbound + "/\(id).body" }

    /// Removes the temp files a crash left behind, when older than `age` (a CLI command such as
    /// `partner test` may be using a fresh one): spooled bodies and layers (`tmp-*`) in work/ and
    /// http-spool/, and unfinished evidence copies (`.tmp-*.part`) under evidence/. Returns the
    /// removed paths. Run it at start.
    @discardableResult
    public func removeStaleTemporaryFiles(olderThan age: TimeInterval = 3600, now: Date = Date()) -> [String] {
        let files = FileManager.default
        var removed: [String] = []
        func sweep(_ dir: String, depth: Int, matches: (String) -> Bool) {
            guard let names = try? files.contentsOfDirectory(atPath: dir) else { return }
            for name in names {
                let path = dir + "/" + name
                // Only candidates and, above the last level, folders are looked at: years of evidence files are not.
                guard matches(name) || depth > 0, let attributes = try? files.attributesOfItem(atPath: path) else { continue }
                if attributes[.type] as? FileAttributeType == .typeDirectory {
                    if depth > 0 { sweep(path, depth: depth - 1, matches: matches) }
                } else if matches(name), let modified = attributes[.modificationDate] as? Date,
                    now.timeIntervalSince(modified) > age, (try? FileSystem.remove(path)) != nil
                {
                    removed.append(path)
                }
            }
        }
        for dir in [work, httpSpool] { sweep(dir, depth: 0) { $0.hasPrefix("tmp-") } }
        sweep(evidence, depth: 1) { $0.hasPrefix(".tmp-") && $0.hasSuffix(".part") }
        return removed
    }
}
