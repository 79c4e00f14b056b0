extension InteropPeer {
    /// `parse_mdn`: pyas2lib `Mdn.parse` of an MDN for a message built by `build` in this peer
    /// process, or for any message described by `expect`.
    public struct ParseMDNRequest: Encodable, Sendable {
        /// The captured MDN file (or `headers` + `body`).
        public var mdn: String?
        public var headers: [[String]]?
        public var body: String?
        /// The original Message-ID; default: the MDN's Original-Message-ID.
        public var messageID: String?
        /// For messages not built by this peer.
        public var expect: Expectation?

        public init(mdn: String, messageID: String? = nil, expect: Expectation? = nil) {
            self.mdn = mdn
            self.messageID = messageID
            self.expect = expect
        }

        enum CodingKeys: String, CodingKey {
            case mdn, headers, body, expect
            case messageID = "message_id"
        }
    }

    /// What the sender of a message built elsewhere expects of its MDN.
    public struct Expectation: Encodable, Sendable {
        /// The MIC the sender stored (base64); nil skips the MIC check.
        public var mic: String?
        /// Set when a signed MDN was requested (pyas2lib then fails unsigned MDNs).
        public var mdnDigest: PeerDigest?
        /// Certificate (PEM path) that must have signed the MDN.
        public var partnerCert: String?
        public var validateCerts: Bool?
        public var as2To: String?

        public init(mic: String?, mdnDigest: PeerDigest?, partnerCert: String?, as2To: String? = nil) {
            self.mic = mic
            self.mdnDigest = mdnDigest
            self.partnerCert = partnerCert
            self.as2To = as2To
        }

        enum CodingKeys: String, CodingKey {
            case mic
            case mdnDigest = "mdn_digest_alg", partnerCert = "partner_cert", validateCerts = "validate_certs"
            case as2To = "as2_to"
        }
    }

    /// What pyas2lib made of an MDN.
    public struct ParseMDNResult: Decodable, Sendable {
        /// pyas2lib's status: "processed", "processed/warning" (MIC mismatch), "processed/Error",
        /// "failed/Failure" (also for bad signatures and unknown messages).
        public let status: String?
        public let detailedStatus: String?
        public let originalMessageID: String?
        public let messageFound: Bool
        public let mdnMessageID: String?
        public let signed: Bool
        /// The MDN was multipart/signed and its signature verified with the partner certificate.
        public let signatureVerified: Bool
        public let digestAlgorithm: String?
        public let disposition: String?
        public let receivedMIC: String?
        public let receivedMICAlgorithm: String?
        public let expectedMIC: String?
        /// Decoded digests compared; nil when either side has no MIC.
        public let micMatched: Bool?
        public let as2From: String?
        public let as2To: String?

        enum CodingKeys: String, CodingKey {
            case status, signed, disposition
            case detailedStatus = "detailed_status", originalMessageID = "original_message_id"
            case messageFound = "message_found", mdnMessageID = "mdn_message_id"
            case signatureVerified = "signature_verified", digestAlgorithm = "digest_alg"
            case receivedMIC = "received_mic", receivedMICAlgorithm = "received_mic_alg"
            case expectedMIC = "expected_mic", micMatched = "mic_matched", as2From = "as2_from", as2To = "as2_to"
        }
    }

    /// pyas2lib parses an MDN; see `ParseMDNRequest`.
    public func parseMDN(_ request: ParseMDNRequest, timeout: Duration? = nil) async throws -> ParseMDNResult {
        try await call("parse_mdn", request, timeout: timeout)
    }
}
