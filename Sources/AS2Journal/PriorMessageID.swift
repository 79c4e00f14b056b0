import Foundation

/// A Message-ID an outbound message was sent under before it was resent with a new one
/// (the per-partner interop switch of requirements R-RS-3).
public struct PriorMessageID: Codable, Sendable, Hashable {
    public var messageID: String
    public var messageIDKey: String
    public var replacedAt: Date

    public init(messageID: String, messageIDKey: String, replacedAt: Date) {
        self.messageID = messageID
        self.messageIDKey = messageIDKey
        self.replacedAt = replacedAt
    }
}
