import AS2Bytes

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
}
