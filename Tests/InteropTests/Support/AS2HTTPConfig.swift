/// The `--config` of `as2http.py` (serve and send): our identity and our partners.
public struct AS2HTTPConfig: Encodable, Sendable {
    /// One partner: receiving policy (serve) and sending settings (send).
    public struct Partner: Encodable, Sendable {
        public var as2Name: String
        /// Name for `send --partner` (default: `as2Name`).
        public var name: String?
        /// Its certificate (PEM path): verifies its signatures, encrypts to it.
        public var partnerCert: String?
        public var validateCerts: Bool?
        public var signRequired: Bool?
        public var encryptRequired: Bool?
        public var sign: PeerDigest?
        public var signatureScheme: PeerSignatureScheme?
        public var encrypt: PeerCipher?
        public var keyEncryption: PeerKeyEncryption?
        public var compress: Bool?
        public var mdnMode: PeerMDNMode?
        public var mdnDigest: PeerDigest?
        public var contentType: String?
        public var filename: String?

        public init(as2Name: String, partnerCert: String?) {
            self.as2Name = as2Name
            self.partnerCert = partnerCert
        }

        /// `party` as a partner: its name as AS2 id, its certificate.
        public init(_ party: TestParty) {
            self.init(as2Name: party.name, partnerCert: party.certPEM)
        }

        enum CodingKeys: String, CodingKey {
            case name, sign, encrypt, compress, filename
            case as2Name = "as2_name", partnerCert = "partner_cert", validateCerts = "validate_certs"
            case signRequired = "sign_required", encryptRequired = "encrypt_required", signatureScheme = "sign_alg"
            case keyEncryption = "key_enc_alg", mdnMode = "mdn_mode", mdnDigest = "mdn_digest_alg"
            case contentType = "content_type"
        }
    }

    public var as2Name: String
    /// Our key and certificate (PEM paths) or `p12`: sign, decrypt, sign MDNs.
    public var key: String?
    public var cert: String?
    public var p12: String?
    public var keyPassword: String?
    public var domain: String?
    /// serve: where received payloads are stored (`<inbox>/<filename>`).
    public var inbox: String?
    /// Every MDN sent or received is kept here in captured form.
    public var mdnDir: String?
    /// serve: HTTP statuses answered to the first requests, in order, before normal processing.
    public var httpFailures: [Int]?
    public var partners: [Partner]

    public init(as2Name: String, partners: [Partner]) {
        self.as2Name = as2Name
        self.partners = partners
    }

    /// `party` as our identity (its name, key and certificate).
    public init(_ party: TestParty, partners: [Partner], inbox: String? = nil) {
        self.init(as2Name: party.name, partners: partners)
        key = party.keyPEM
        cert = party.certPEM
        self.inbox = inbox
    }

    enum CodingKeys: String, CodingKey {
        case key, cert, p12, domain, inbox, partners
        case as2Name = "as2_name", keyPassword = "key_password", mdnDir = "mdn_dir", httpFailures = "http_failures"
    }
}
