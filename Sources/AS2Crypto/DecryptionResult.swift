/// What `CMS.decrypt` found: the algorithms the sender used and which of our certificates the
/// message was encrypted to (for policy checks, logs and sidecars).
public struct DecryptionResult: Sendable {
    public let algorithm: ContentEncryptionAlgorithm
    public let keyTransport: KeyTransportAlgorithm
    public let recipient: Certificate
    /// AuthEnvelopedData (RFC 5083); false for EnvelopedData, including AES-GCM inside
    /// EnvelopedData as some products send it.
    public let wasAuthEnveloped: Bool

    public init(algorithm: ContentEncryptionAlgorithm, keyTransport: KeyTransportAlgorithm, recipient: Certificate, wasAuthEnveloped: Bool) {
        self.algorithm = algorithm
        self.keyTransport = keyTransport
        self.recipient = recipient
        self.wasAuthEnveloped = wasAuthEnveloped
    }
}
