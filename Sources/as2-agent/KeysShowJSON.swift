import AS2Crypto
import Foundation

/// `keys show --json` output, and the certificate lines of the text output.
struct KeysShowJSON: Encodable {
    let format = 1
    let file: String
    let certificates: [Certificate]
    let privateKey: Key?
    let note: String?

    enum CodingKeys: String, CodingKey {
        case format, file, certificates, note
        case privateKey = "private_key"
    }

    /// One certificate as `keys show` prints it.
    struct Certificate: Encodable {
        let subject: String
        let issuer: String
        let commonName: String?
        let serialNumber: String
        let notBefore: String
        let notAfter: String
        let validNow: Bool
        let sha256Fingerprint: String
        let publicKey: String
        let publicKeyBits: Int
        let keyUsage: [String]
        let extendedKeyUsage: [String]
        let selfSigned: Bool
        private let daysLeft: Int

        enum CodingKeys: String, CodingKey {
            case subject, issuer
            case commonName = "common_name"
            case serialNumber = "serial_number"
            case notBefore = "not_before"
            case notAfter = "not_after"
            case validNow = "valid_now"
            case sha256Fingerprint = "sha256_fingerprint"
            case publicKey = "public_key"
            case publicKeyBits = "public_key_bits"
            case keyUsage = "key_usage"
            case extendedKeyUsage = "extended_key_usage"
            case selfSigned = "self_signed"
        }

        init(_ c: AS2Crypto.Certificate, now: Date) {
            subject = c.subject
            issuer = c.issuer
            commonName = c.commonName
            serialNumber = c.serialNumberHex
            notBefore = KeysShowCommand.timestamp(c.notBefore)
            notAfter = KeysShowCommand.timestamp(c.notAfter)
            validNow = c.isValid(at: now)
            sha256Fingerprint = c.sha256Fingerprint
            publicKey = c.publicKeyDescription
            publicKeyBits = c.publicKeyBits
            keyUsage = c.keyUsage
            extendedKeyUsage = c.extendedKeyUsage
            selfSigned = c.isSelfSigned
            daysLeft = Int(c.notAfter.timeIntervalSince(now) / 86_400)
        }

        func text(now: Date) -> String {
            let state = !validNow ? (daysLeft < 0 ? "EXPIRED" : "NOT YET VALID") : "valid, \(daysLeft) days left"
            var lines = [
                "subject:        \(subject)",
                "issuer:         \(issuer)\(selfSigned ? " (self-signed)" : "")",
                "serial:         \(serialNumber)",
                "valid from:     \(notBefore)",
                "valid until:    \(notAfter) (\(state))",
                "public key:     \(publicKey)",
                "SHA-256:        \(sha256Fingerprint)",
                "key usage:      \(keyUsage.isEmpty ? "(not restricted)" : keyUsage.joined(separator: ", "))",
            ]
            if !extendedKeyUsage.isEmpty { lines.append("ext. key usage: \(extendedKeyUsage.joined(separator: ", "))") }
            return lines.joined(separator: "\n")
        }
    }

    /// The private key part of `keys show --json`.
    struct Key: Encodable {
        let type: String
        let bits: Int
        /// Whether the key belongs to a certificate in the same file; nil when the file has none.
        let matchesCertificate: Bool?

        enum CodingKeys: String, CodingKey {
            case type, bits
            case matchesCertificate = "matches_certificate"
        }
    }
}
