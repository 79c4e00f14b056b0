import Foundation

/// The properties of a certificate that check-config reports on.
struct CertificateFacts: Sendable, Equatable {
    var subject: String
    var notBefore: Date
    var notAfter: Date
    var sha256Fingerprint: String
    var publicKeyBits: Int?
    /// Key-usage names (`digitalSignature`, `keyEncipherment`, …); nil when the extension is absent.
    var keyUsage: [String]?
}
