import AS2Bytes
import AS2Crypto
import AS2MIME

/// A received message that passed every check: the payload and what was learnt unwrapping it.
public struct UnpackedMessage: Sendable {
    /// The payload bytes, transfer encoding removed (memory or a file, depending on size).
    public let payload: any ByteSource
    /// The payload entity's MIME headers (for a plain message: the HTTP headers).
    public let payloadHeaders: MIMEHeaders
    public let contentType: String
    /// The filename the partner sent (Content-Disposition), unsanitized — for the log and sidecar.
    public let originalFilename: String?
    /// A safe basename derived from it (R-PL-5), or nil when none was sent or nothing safe was left.
    public let filename: String?
    /// Layers found, outermost first.
    public let layers: [MessageLayer]
    /// The certificate whose signature verified.
    public let signer: Certificate?
    /// Received-Content-MIC for the receipt (requirements §3).
    public let mic: ReceivedContentMIC
    /// Warnings worth a log line (e.g. unknown micalg, CRLF-canonicalized signature match).
    public let notes: [String]
    /// The multipart/signed entity exactly as received (its Content-Type line, an empty line, the
    /// body): evidence of origin that can be re-verified later with the signer's certificate.
    public let signedEntity: (any ByteSource)?
}

/// Why a received message is refused, as the MDN disposition the receiver returns (§4.4–4.5).
public struct UnpackRejection: Error, Sendable {
    public let disposition: Disposition
    /// An operator-facing explanation (logged; a short form goes into the MDN text).
    public let reason: String
    public let layers: [MessageLayer]
    public let signer: Certificate?
}

public enum UnpackResult: Sendable {
    case accepted(UnpackedMessage)
    case rejected(UnpackRejection)

    public var disposition: Disposition {
        switch self {
        case .accepted: return Disposition.processed
        case let .rejected(r): return r.disposition
        }
    }
}

/// The error dispositions of RFC 4130 §7.5.4 (and the common unknown-trading-partner), built
/// through the parser so the wire spelling lives in one place.
public enum DispositionError: String, Sendable, CaseIterable {
    case decryptionFailed = "decryption-failed"
    case authenticationFailed = "authentication-failed"
    case integrityCheckFailed = "integrity-check-failed"
    case insufficientMessageSecurity = "insufficient-message-security"
    case decompressionFailed = "decompression-failed"
    case unexpectedProcessingError = "unexpected-processing-error"
    case unknownTradingPartner = "unknown-trading-partner"

    public var disposition: Disposition {
        // The literal below always parses: a parse failure here is a programming error caught by tests.
        (try? Disposition(parsing: "automatic-action/MDN-sent-automatically; processed/error: \(rawValue)")) ?? Disposition.processed
    }
}
