/// The one error type of AS2Crypto: a code callers branch on (and map to MDN dispositions) and a
/// message an operator understands, which includes OpenSSL's own error queue when it was involved.
public struct CryptoError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, coarse enough to act on.
    public enum Code: Sendable, Equatable, Hashable {
        case wrongPassword
        case keyCertificateMismatch
        case malformedInput
        case unsupportedAlgorithm
        case decryptionFailed
        case noMatchingRecipient
        case decompressionFailed
        case decompressionLimitExceeded
        case certificateExpired
        case io
        case openssl
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// Errors compare by code only: the message is for people.
    public static func == (a: CryptoError, b: CryptoError) -> Bool { a.code == b.code }
}
