extension InteropPeer {
    /// `parse`: pyas2lib `Message.parse` of a received message, as a pyas2lib receiver would.
    public struct ParseRequest: Encodable, Sendable {
        /// The captured message file (or `headers` + `body`).
        public var message: String?
        public var headers: [[String]]?
        public var body: String?
        /// Our key and certificate (PEM paths) or `p12`: decrypts, and signs the MDN.
        public var key: String?
        public var cert: String?
        public var p12: String?
        public var keyPassword: String?
        /// The sender's certificate (PEM path): verifies its signature.
        public var partnerCert: String?
        public var validateCerts: Bool?
        /// When set, AS2-To / AS2-From must equal these, else pyas2lib reports unknown-trading-partner.
        public var orgAS2Name: String?
        public var partnerAS2Name: String?
        /// pyas2lib's partner policy flags.
        public var signRequired: Bool?
        public var encryptRequired: Bool?
        public var canonicalizeAsBinary: Bool?
        /// Scheme pyas2lib signs the MDN with (it takes the partner's sign_alg).
        public var mdnSignatureScheme: PeerSignatureScheme?
        /// Message-IDs already received: pyas2lib answers duplicate-document for them.
        public var knownMessageIDs: [String]?
        public var mdnConfirmText: String?
        /// Where the payload of a processed message is written.
        public var payloadOut: String?
        /// Where the MDN pyas2lib would send is written, in captured form, when one was requested.
        public var mdnOut: String?

        public init(message: String) { self.message = message }

        /// A request for `receiver` receiving from `sender`, with outputs in `directory`.
        public init(message: String, receiver: TestParty, sender: TestParty, payloadOut: String? = nil, mdnOut: String? = nil) {
            self.message = message
            key = receiver.keyPEM
            cert = receiver.certPEM
            partnerCert = sender.certPEM
            self.payloadOut = payloadOut
            self.mdnOut = mdnOut
        }

        enum CodingKeys: String, CodingKey {
            case message, headers, body, key, cert, p12
            case keyPassword = "key_password", partnerCert = "partner_cert", validateCerts = "validate_certs"
            case orgAS2Name = "org_as2_name", partnerAS2Name = "partner_as2_name", signRequired = "sign_required"
            case encryptRequired = "encrypt_required", canonicalizeAsBinary = "canonicalize_as_binary"
            case mdnSignatureScheme = "mdn_sign_alg", knownMessageIDs = "known_message_ids"
            case mdnConfirmText = "mdn_confirm_text", payloadOut = "payload_out", mdnOut = "mdn_out"
        }
    }

    /// What pyas2lib made of a received message.
    public struct ParseResult: Decodable, Sendable {
        /// "processed", "processed/Error", "processed/Warning" or "failed/Failure" (pyas2lib's spelling).
        public let status: String
        /// The modifier, e.g. "authentication-failed", "decryption-failed"; nil when processed.
        public let detailedStatus: String?
        public let disposition: String
        public let exception: String?
        public let exceptionType: String?
        public let traceback: String?
        public let messageID: String?
        /// pyas2lib's MIC: only for signed messages.
        public let mic: String?
        public let micAlgorithm: String?
        public let signed: Bool
        public let encrypted: Bool
        public let compressed: Bool
        /// Content-encryption algorithm read from the EnvelopedData (asn1crypto name, e.g. aes256_cbc).
        public let cipher: String?
        public let digestAlgorithm: String?
        public let filename: String?
        public let contentType: String?
        public let payloadSize: Int?
        public let payloadWritten: Bool
        /// The MDN pyas2lib built, if one was requested.
        public let mdn: MDNSummary?

        public var isProcessed: Bool { status == "processed" }

        enum CodingKeys: String, CodingKey {
            case status, disposition, exception, traceback, mic, signed, encrypted, compressed, cipher, filename, mdn
            case detailedStatus = "detailed_status", exceptionType = "exception_type", messageID = "message_id"
            case micAlgorithm = "mic_alg", digestAlgorithm = "digest_alg", contentType = "content_type"
            case payloadSize = "payload_size", payloadWritten = "payload_written"
        }
    }

    /// An MDN read without verification (what it says, not whether it is authentic).
    public struct MDNSummary: Decodable, Sendable {
        public let signed: Bool
        public let micalg: String?
        public let messageID: String?
        public let as2From: String?
        public let as2To: String?
        /// The full Disposition field, e.g. "automatic-action/MDN-sent-automatically; processed".
        public let disposition: String?
        public let originalMessageID: String?
        public let receivedMIC: String?
        public let receivedMICAlgorithm: String?
        /// Every message/disposition-notification field, lower-cased names.
        public let fields: [String: String]
        /// "sync" or "async" (only for MDNs built by `parse`).
        public let mode: String?
        /// The async MDN's destination URL.
        public let url: String?

        enum CodingKeys: String, CodingKey {
            case signed, micalg, disposition, fields, mode, url
            case messageID = "message_id", as2From = "as2_from", as2To = "as2_to"
            case originalMessageID = "original_message_id", receivedMIC = "received_mic"
            case receivedMICAlgorithm = "received_mic_alg"
        }
    }

    /// pyas2lib receives a message; see `ParseRequest`.
    public func parse(_ request: ParseRequest, timeout: Duration? = nil) async throws -> ParseResult {
        try await call("parse", request, timeout: timeout)
    }
}
