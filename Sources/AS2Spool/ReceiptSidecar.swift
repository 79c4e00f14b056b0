import Foundation

/// `<name>.mdn.json` beside a sent or received document: what was exchanged, how it was
/// protected, and the receipt (MDN) that proves it — the answer to "did partner X get invoice Y,
/// and can we prove it?" (DESIGN.md §2). Schema: docs/schemas/receipt-sidecar.schema.json.
public struct ReceiptSidecar: Codable, Sendable, Hashable {
    public enum Direction: String, Codable, Sendable { case sent, received }

    /// When things happened; which ones apply depends on the direction.
    public struct Timestamps: Codable, Sendable, Hashable {
        /// The file was claimed from the outbox.
        public var queued: Date?
        /// The message was accepted by the partner's server (HTTP 2xx).
        public var sent: Date?
        /// The message was received from the partner.
        public var received: Date?
        /// The receipt (MDN) was received (sent) or created (received).
        public var receipt: Date?

        public init(queued: Date? = nil, sent: Date? = nil, received: Date? = nil, receipt: Date? = nil) {
            self.queued = queued
            self.sent = sent
            self.received = received
            self.receipt = receipt
        }
    }

    /// Where compression sat relative to the signature (RFC 5402).
    public enum Compression: String, Codable, Sendable {
        case beforeSigning = "before-signing"
        case afterSigning = "after-signing"
    }

    /// The protection the message had on the wire.
    public struct Security: Codable, Sendable, Hashable {
        public var signed: Bool
        /// Digest of the signature, e.g. `sha256`.
        public var signatureAlgorithm: String?
        /// `pkcs1v15` or `pss`.
        public var signatureScheme: String?
        public var signerCertificateSha256: String?
        public var encrypted: Bool
        /// Content encryption, e.g. `aes256-cbc`.
        public var encryptionAlgorithm: String?
        /// Key transport, e.g. `rsaes-pkcs1v15` or `rsaes-oaep`.
        public var keyTransport: String?
        public var recipientCertificateSha256: String?
        public var compressed: Bool
        public var compression: Compression?

        public init(
            signed: Bool, signatureAlgorithm: String? = nil, signatureScheme: String? = nil,
            signerCertificateSha256: String? = nil, encrypted: Bool, encryptionAlgorithm: String? = nil,
            keyTransport: String? = nil, recipientCertificateSha256: String? = nil,
            compressed: Bool, compression: Compression? = nil
        ) {
            self.signed = signed
            self.signatureAlgorithm = signatureAlgorithm
            self.signatureScheme = signatureScheme
            self.signerCertificateSha256 = signerCertificateSha256
            self.encrypted = encrypted
            self.encryptionAlgorithm = encryptionAlgorithm
            self.keyTransport = keyTransport
            self.recipientCertificateSha256 = recipientCertificateSha256
            self.compressed = compressed
            self.compression = compression
        }

        enum CodingKeys: String, CodingKey {
            case signed, encrypted, compressed, compression
            case signatureAlgorithm = "signature_algorithm"
            case signatureScheme = "signature_scheme"
            case signerCertificateSha256 = "signer_certificate_sha256"
            case encryptionAlgorithm = "encryption_algorithm"
            case keyTransport = "key_transport"
            case recipientCertificateSha256 = "recipient_certificate_sha256"
        }
    }

    /// The Message Integrity Check (RFC 4130 §7.3.1): base64 digest as in Received-Content-MIC.
    public struct MIC: Codable, Sendable, Hashable {
        public var algorithm: String
        public var digest: String
        public init(algorithm: String, digest: String) {
            self.algorithm = algorithm
            self.digest = digest
        }
    }

    /// The receipt: requested how, and what it said.
    public struct MDN: Codable, Sendable, Hashable {
        public enum Mode: String, Codable, Sendable { case sync, async, none }
        public enum DispositionType: String, Codable, Sendable { case processed, failed }

        /// Delivery of an async MDN we owe the partner (received direction).
        public struct Delivery: Codable, Sendable, Hashable {
            public enum Status: String, Codable, Sendable { case pending, delivered, failed }
            public var status: Status
            public var attempts: Int
            public var lastError: String?
            public var url: String?

            public init(status: Status, attempts: Int, lastError: String? = nil, url: String? = nil) {
                self.status = status
                self.attempts = attempts
                self.lastError = lastError
                self.url = url
            }

            enum CodingKeys: String, CodingKey {
                case status, attempts, url
                case lastError = "last_error"
            }
        }

        public var mode: Mode
        public var requestedSigned: Bool
        public var signed: Bool?
        /// Whether the MDN's signature checked out against the partner's certificate (sent direction).
        public var signatureVerified: Bool?
        /// The whole Disposition field, e.g. `automatic-action/MDN-sent-automatically; processed`.
        public var disposition: String?
        public var dispositionType: DispositionType?
        /// `error: decryption-failed`, `warning: …`, when present.
        public var modifier: String?
        /// Whether Received-Content-MIC equals the MIC we computed (sent direction).
        public var micMatched: Bool?
        /// The MDN's own Message-ID.
        public var messageId: String?
        public var delivery: Delivery?

        public init(
            mode: Mode, requestedSigned: Bool, signed: Bool? = nil, signatureVerified: Bool? = nil,
            disposition: String? = nil, dispositionType: DispositionType? = nil, modifier: String? = nil,
            micMatched: Bool? = nil, messageId: String? = nil, delivery: Delivery? = nil
        ) {
            self.mode = mode
            self.requestedSigned = requestedSigned
            self.signed = signed
            self.signatureVerified = signatureVerified
            self.disposition = disposition
            self.dispositionType = dispositionType
            self.modifier = modifier
            self.micMatched = micMatched
            self.messageId = messageId
            self.delivery = delivery
        }

        var json: SidecarJSON {
            .object([
                ("mode", .string(mode.rawValue)),
                ("requested_signed", .bool(requestedSigned)),
                ("signed", signed.map(SidecarJSON.bool)),
                ("signature_verified", signatureVerified.map(SidecarJSON.bool)),
                ("disposition", disposition.map(SidecarJSON.string)),
                ("disposition_type", dispositionType.map { .string($0.rawValue) }),
                ("modifier", modifier.map(SidecarJSON.string)),
                ("mic_matched", micMatched.map(SidecarJSON.bool)),
                ("message_id", messageId.map(SidecarJSON.string)),
                ("delivery", delivery.map { d in
                    .object([
                        ("status", .string(d.status.rawValue)), ("attempts", .int(d.attempts)),
                        ("last_error", d.lastError.map(SidecarJSON.string)), ("url", d.url.map(SidecarJSON.string)),
                    ])
                }),
            ])
        }

        enum CodingKeys: String, CodingKey {
            case mode, signed, disposition, modifier, delivery
            case requestedSigned = "requested_signed"
            case signatureVerified = "signature_verified"
            case dispositionType = "disposition_type"
            case micMatched = "mic_matched"
            case messageId = "message_id"
        }
    }

    public var format: Int
    /// The AS2 message's Message-ID.
    public var messageId: String
    public var direction: Direction
    /// The partner's short name (its spool folder).
    public var partner: String
    public var as2From: String
    public var as2To: String
    public var file: SidecarFile
    public var timestamps: Timestamps
    public var security: Security
    public var mic: MIC?
    public var mdn: MDN
    /// HTTP attempts it took (sent) or 1 (received).
    public var attempts: Int
    /// Status of the HTTP response to the message (sent direction).
    public var httpStatus: Int?

    public init(
        messageId: String, direction: Direction, partner: String, as2From: String, as2To: String,
        file: SidecarFile, timestamps: Timestamps, security: Security, mic: MIC?, mdn: MDN,
        attempts: Int, httpStatus: Int? = nil
    ) {
        self.format = SidecarCoding.format
        self.messageId = messageId
        self.direction = direction
        self.partner = partner
        self.as2From = as2From
        self.as2To = as2To
        self.file = file
        self.timestamps = timestamps
        self.security = security
        self.mic = mic
        self.mdn = mdn
        self.attempts = attempts
        self.httpStatus = httpStatus
    }

    enum CodingKeys: String, CodingKey {
        case format, direction, partner, file, timestamps, security, mic, mdn, attempts
        case messageId = "message_id"
        case as2From = "as2_from"
        case as2To = "as2_to"
        case httpStatus = "http_status"
    }

    /// The sidecar's bytes, ready for `Claim.finishSent` or `InboxWriter.deliver`: what
    /// `SidecarCoding.encode(self)` writes, written by hand (`SidecarJSON`).
    public func encoded() throws -> Data { json.encoded() }

    /// The JSON tree of `encoded()`: the coding keys and the encodeIfPresent rules of `Codable`.
    var json: SidecarJSON {
        let t = timestamps
        let s = security
        return .object([
            ("format", .int(format)),
            ("message_id", .string(messageId)),
            ("direction", .string(direction.rawValue)),
            ("partner", .string(partner)),
            ("as2_from", .string(as2From)),
            ("as2_to", .string(as2To)),
            ("file", file.json),
            ("timestamps", .object([
                ("queued", t.queued.map(SidecarJSON.date)), ("sent", t.sent.map(SidecarJSON.date)),
                ("received", t.received.map(SidecarJSON.date)), ("receipt", t.receipt.map(SidecarJSON.date)),
            ])),
            ("security", .object([
                ("signed", .bool(s.signed)),
                ("signature_algorithm", s.signatureAlgorithm.map(SidecarJSON.string)),
                ("signature_scheme", s.signatureScheme.map(SidecarJSON.string)),
                ("signer_certificate_sha256", s.signerCertificateSha256.map(SidecarJSON.string)),
                ("encrypted", .bool(s.encrypted)),
                ("encryption_algorithm", s.encryptionAlgorithm.map(SidecarJSON.string)),
                ("key_transport", s.keyTransport.map(SidecarJSON.string)),
                ("recipient_certificate_sha256", s.recipientCertificateSha256.map(SidecarJSON.string)),
                ("compressed", .bool(s.compressed)),
                ("compression", s.compression.map { .string($0.rawValue) }),
            ])),
            ("mic", mic.map { .object([("algorithm", .string($0.algorithm)), ("digest", .string($0.digest))]) }),
            ("mdn", mdn.json),
            ("attempts", .int(attempts)),
            ("http_status", httpStatus.map(SidecarJSON.int)),
        ])
    }

    public static func decode(from data: Data) throws -> ReceiptSidecar {
        try SidecarCoding.decode(ReceiptSidecar.self, from: data)
    }
}
