import AS2Bytes
import AS2Spool
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
        var removed: [String] = []
        func remove(under dir: String, depth: Int, matching matches: (String) -> Bool) {
            for path in StaleFiles.find(under: dir, depth: depth, olderThan: age, now: now, matching: matches)
            where (try? FileSystem.remove(path)) != nil {
                removed.append(path)
            }
        }
        for dir in [work, httpSpool] { remove(under: dir, depth: 0) { $0.hasPrefix("tmp-") } }
        remove(under: evidence, depth: 1) { $0.hasPrefix(".tmp-") && $0.hasSuffix(".part") }
        return removed
    }
}
