import AS2Crypto

/// Our keys as the agent uses them: the current identity signs and decrypts; previous ones
/// (certificate rollover, requirements R-CERT-3) only decrypt.
public struct AgentIdentities: Sendable {
    public let current: Identity
    public let previous: [Identity]

    public init(current: Identity, previous: [Identity]) {
        self.current = current
        self.previous = previous
    }

    /// Every identity inbound messages may be encrypted to, current first.
    public var decryptionIdentities: [Identity] { [current] + previous }
}
