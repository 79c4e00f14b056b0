import Foundation

/// A message this agent sends: one journal row, from claim to receipt.
public struct OutboundMessage: Sendable, Hashable {
    /// Journal row id (stable; what `as2-agent message show` takes).
    public var id: Int64
    /// Configured partner short name.
    public var partner: String
    public var as2From: String
    public var as2To: String
    /// The current Message-ID as sent, with angle brackets.
    public var messageID: String
    /// Normalised Message-ID used to match MDNs.
    public var messageIDKey: String
    /// Message-IDs used before a resend with a new Message-ID, oldest first.
    public var priorMessageIDs: [PriorMessageID]
    public var state: OutboundState
    /// Path of the dropped file relative to the partner's `outbox/`.
    public var originalPath: String
    /// Where the file was claimed to (inside `.as2/`).
    public var claimedPath: String
    public var payloadSize: Int64
    /// SHA-256 of the payload file, lowercase hex.
    public var payloadSHA256: String
    /// The exact request to send; `nil` until built.
    public var built: BuiltMessage?
    /// HTTP attempts started so far.
    public var attempts: Int
    /// When the next attempt is due (`retryScheduled`).
    public var nextAttemptAt: Date?
    /// When the wait for an async MDN times out (`awaitingMDN`).
    public var mdnDeadline: Date?
    /// Why the last attempt did not deliver (or the warning of `deliveredWithWarning`).
    public var lastError: String?
    /// The receipt received, when one was.
    public var mdn: MDNEvidence?
    /// Files written when the message finished (`sent/` or `failed/` document and sidecars).
    public var resultPaths: [String]
    public var createdAt: Date
    public var updatedAt: Date
}
