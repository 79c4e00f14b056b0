extension InteropPeer {
    /// `build`: pyas2lib `Message.build` of a payload file, written in captured form to `out`.
    /// The peer keeps the message so that `parseMDN` can check its MDN later.
    public struct BuildRequest: Encodable, Sendable {
        /// Payload file path.
        public var payload: String
        /// Where the captured message (HTTP headers, empty line, body) is written.
        public var out: String
        public var as2From: String
        public var as2To: String
        /// Our private key and certificate (PEM paths), or `p12`; needed to sign.
        public var key: String?
        public var cert: String?
        public var p12: String?
        public var keyPassword: String?
        /// The receiver's certificate (PEM path): encrypts the message, verifies its MDN.
        public var partnerCert: String?
        /// Check `partnerCert` like pyas2lib does by default (self-signed is accepted).
        public var validateCerts: Bool?
        public var sign: PeerDigest?
        public var signatureScheme: PeerSignatureScheme?
        public var encrypt: PeerCipher?
        public var keyEncryption: PeerKeyEncryption?
        public var compress: Bool
        public var mdnMode: PeerMDNMode?
        /// Receipt-Delivery-Option for async MDNs.
        public var mdnURL: String?
        /// Requests a signed MDN with this micalg.
        public var mdnDigest: PeerDigest?
        /// Default application/edi-consent. pyas2lib rewrites bare LF to CRLF in non-binary types:
        /// use application/octet-stream for byte-exact payloads.
        public var contentType: String?
        public var filename: String?
        public var subject: String?
        /// Left part of the Message-ID (pyas2lib appends `@domain`).
        public var messageID: String?
        public var domain: String?
        public var dispositionNotificationTo: String?
        /// Header overrides applied to the output: same name (case-insensitive) replaced, else
        /// appended; a nil value removes the header.
        public var headers: [PeerHeader]?
        /// Also write the bytes the RFC MIC is computed over here.
        public var micInputOut: String?

        public init(payload: String, out: String, as2From: String, as2To: String) {
            self.payload = payload
            self.out = out
            self.as2From = as2From
            self.as2To = as2To
            self.compress = false
        }

        /// A request from `sender` to `receiver`: AS2 ids are the party names, our key is the
        /// sender's, the partner certificate the receiver's.
        public init(payload: String, out: String, from sender: TestParty, to receiver: TestParty) {
            self.init(payload: payload, out: out, as2From: sender.name, as2To: receiver.name)
            key = sender.keyPEM
            cert = sender.certPEM
            partnerCert = receiver.certPEM
        }

        enum CodingKeys: String, CodingKey {
            case payload, out, key, cert, p12, sign, encrypt, compress, filename, subject, domain, headers
            case as2From = "as2_from", as2To = "as2_to", keyPassword = "key_password"
            case partnerCert = "partner_cert", validateCerts = "validate_certs", signatureScheme = "sign_alg"
            case keyEncryption = "key_enc_alg", mdnMode = "mdn_mode", mdnURL = "mdn_url"
            case mdnDigest = "mdn_digest_alg", contentType = "content_type", messageID = "message_id"
            case dispositionNotificationTo = "disposition_notification_to", micInputOut = "mic_input_out"
        }
    }

    /// What `build` produced.
    public struct BuildResult: Decodable, Sendable {
        /// Message-ID without angle brackets (the header has them).
        public let messageID: String
        /// pyas2lib's MIC (base64), computed only for signed messages.
        public let mic: String?
        public let micAlgorithm: String?
        /// The MIC requirements §3.2 prescribes for this message, from the bytes pyas2lib wrapped
        /// (signed: first part; encrypted/compressed: the inner entity; plain: the body).
        public let rfcMIC: String
        public let rfcMICAlgorithm: String
        /// `rfcMIC`'s input under every digest: algorithm name (sha1 … sha512) → base64.
        public let rfcMICs: [String: String]
        /// HTTP headers as written to `out`.
        public let headers: [[String]]
        public let bodySize: Int
        public let signed: Bool
        public let encrypted: Bool
        public let compressed: Bool

        enum CodingKeys: String, CodingKey {
            case mic, headers, signed, encrypted, compressed
            case messageID = "message_id", micAlgorithm = "mic_alg", rfcMIC = "rfc_mic"
            case rfcMICAlgorithm = "rfc_mic_alg", rfcMICs = "rfc_mics", bodySize = "body_size"
        }
    }

    /// pyas2lib builds a message; see `BuildRequest`.
    public func build(_ request: BuildRequest, timeout: Duration? = nil) async throws -> BuildResult {
        try await call("build", request, timeout: timeout)
    }
}
