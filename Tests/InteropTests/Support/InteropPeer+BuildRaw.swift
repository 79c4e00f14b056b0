extension InteropPeer {
    /// One wrapping step of `buildRaw`, applied innermost first. Unset options fall back to the
    /// request's.
    public struct RawLayer: Encodable, Sendable {
        public enum Operation: String, Encodable, Sendable { case sign, compress, encrypt }

        public var op: Operation
        /// sign: digest, scheme, micalg label override (default RFC 5751 spelling, e.g. sha-256),
        /// and whether the signer certificate is embedded.
        public var digest: PeerDigest?
        public var signatureScheme: PeerSignatureScheme?
        public var micalg: String?
        public var includeCerts: Bool?
        /// encrypt: cipher (GCM gives AuthEnvelopedData) and key transport.
        public var cipher: PeerCipher?
        public var keyEncryption: PeerKeyEncryption?
        /// smime-type label override (e.g. "enveloped-data" on GCM, Mendelson style).
        public var smimeType: String?

        public init(_ op: Operation) { self.op = op }

        public static let sign = RawLayer(.sign)
        public static let compress = RawLayer(.compress)
        public static let encrypt = RawLayer(.encrypt)

        enum CodingKeys: String, CodingKey {
            case op, digest, micalg, cipher
            case signatureScheme = "sign_alg", includeCerts = "include_certs", keyEncryption = "key_enc_alg"
            case smimeType = "smime_type"
        }
    }

    /// `build_raw`: a message assembled with the openssl CLI and Python (any layer order,
    /// including sign-then-compress, which pyas2lib cannot build).
    public struct RawBuildRequest: Encodable, Sendable {
        public var payload: String
        public var out: String
        public var as2From: String
        public var as2To: String
        public var layers: [RawLayer]
        /// Signer key and certificate (PEM paths).
        public var key: String?
        public var cert: String?
        public var keyPassword: String?
        /// Recipient certificate (PEM path).
        public var partnerCert: String?
        /// Defaults for the layers.
        public var digest: PeerDigest?
        public var cipher: PeerCipher?
        public var keyEncryption: PeerKeyEncryption?
        public var signatureScheme: PeerSignatureScheme?
        /// Payload entity: content type (default application/octet-stream), CTE ("binary",
        /// "base64", "8bit", "7bit"), filename for Content-Disposition.
        public var contentType: String?
        public var payloadTransferEncoding: String?
        public var filename: String?
        public var messageID: String?
        public var domain: String?
        public var subject: String?
        public var mdnMode: PeerMDNMode?
        public var mdnURL: String?
        /// The micalg requested for a signed MDN, written as given (e.g. "sha-256").
        public var mdnDigest: String?
        public var dispositionNotificationTo: String?
        /// MIC algorithm for unsigned messages (default: mdnDigest, else sha1).
        public var micAlgorithm: String?
        /// "base64": HTTP body base64-encoded with `Content-Transfer-Encoding: base64`.
        public var httpTransferEncoding: String?
        public var headers: [PeerHeader]?
        public var micInputOut: String?

        public init(payload: String, out: String, as2From: String, as2To: String, layers: [RawLayer]) {
            self.payload = payload
            self.out = out
            self.as2From = as2From
            self.as2To = as2To
            self.layers = layers
        }

        /// From `sender` (signs) to `receiver` (encrypted for).
        public init(payload: String, out: String, from sender: TestParty, to receiver: TestParty, layers: [RawLayer]) {
            self.init(payload: payload, out: out, as2From: sender.name, as2To: receiver.name, layers: layers)
            key = sender.keyPEM
            cert = sender.certPEM
            partnerCert = receiver.certPEM
        }

        enum CodingKeys: String, CodingKey {
            case payload, out, layers, key, cert, digest, cipher, filename, domain, subject, headers
            case as2From = "as2_from", as2To = "as2_to", keyPassword = "key_password", partnerCert = "partner_cert"
            case keyEncryption = "key_enc_alg", signatureScheme = "sign_alg", contentType = "content_type"
            case payloadTransferEncoding = "payload_cte", messageID = "message_id", mdnMode = "mdn_mode"
            case mdnURL = "mdn_url", mdnDigest = "mdn_digest_alg"
            case dispositionNotificationTo = "disposition_notification_to", micAlgorithm = "mic_alg"
            case httpTransferEncoding = "http_cte", micInputOut = "mic_input_out"
        }
    }

    /// What `buildRaw` produced.
    public struct RawBuildResult: Decodable, Sendable {
        public let messageID: String
        /// The MIC per requirements §3.2 (base64) and its algorithm.
        public let mic: String
        public let micAlgorithm: String
        /// The same MIC input under every digest: sha1 … sha512 → base64.
        public let mics: [String: String]
        public let layers: [String]
        public let headers: [[String]]
        public let bodySize: Int

        enum CodingKeys: String, CodingKey {
            case mic, mics, layers, headers
            case messageID = "message_id", micAlgorithm = "mic_alg", bodySize = "body_size"
        }
    }

    /// Builds a message with the openssl CLI; see `RawBuildRequest`.
    public func buildRaw(_ request: RawBuildRequest, timeout: Duration? = nil) async throws -> RawBuildResult {
        try await call("build_raw", request, timeout: timeout)
    }
}
