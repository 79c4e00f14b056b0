/// A received message being processed: held in memory by the journal on its duplicate key
/// (AS2-From, AS2-To, normalised Message-ID) from `beginInbound` until `completeInbound` commits
/// its row or `abandonInbound` lets it go. Nothing is written for it before completion, so a crash
/// while processing leaves nothing to clean up and the partner's resend is processed afresh.
public struct InboundClaim: Sendable, Hashable {
    public let partner: String
    public let as2From: String
    public let as2To: String
    public let messageID: String
    public let messageIDKey: String
    /// Lowercase hex SHA-256 of the request body.
    public let bodySHA256: String
    /// The `interrupted` row of an earlier run (an agent version that journaled processing rows)
    /// that this resend takes over at completion, instead of inserting a new row.
    let takeover: Int64?
    /// Tells this claim from a later one on the same key, so a late release cannot drop another's.
    let token: UInt64

    var key: Key { Key(as2From: as2From, as2To: as2To, messageIDKey: messageIDKey) }

    /// The duplicate key (requirements R-DUP-1).
    struct Key: Hashable, Sendable {
        let as2From: String
        let as2To: String
        let messageIDKey: String
    }
}
