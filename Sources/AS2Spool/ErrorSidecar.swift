import Foundation

/// `<name>.error.json` beside a document in `failed/`: why it was not delivered, in words an
/// operator understands, plus the facts to act on. Schema: docs/schemas/error-sidecar.schema.json.
public struct ErrorSidecar: Codable, Sendable, Hashable {
    /// The kind of failure, for scripts; an open set of kebab-case words.
    public struct Category: RawRepresentable, Codable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The partner's MDN said `failed` or carried an error modifier.
        public static let negativeMDN = Category(rawValue: "negative-mdn")
        /// The MDN's Received-Content-MIC did not match what we sent.
        public static let micMismatch = Category(rawValue: "mic-mismatch")
        /// Every send attempt failed (network, TLS, HTTP errors).
        public static let retriesExhausted = Category(rawValue: "retries-exhausted")
        /// The async MDN did not arrive in time.
        public static let asyncMDNTimeout = Category(rawValue: "async-mdn-timeout")
        /// The partner's server refused the message (HTTP 4xx).
        public static let rejected = Category(rawValue: "rejected")
        /// The MDN could not be parsed or its signature did not verify.
        public static let invalidMDN = Category(rawValue: "invalid-mdn")
        /// The partner's configuration prevents sending (missing certificate, bad URL, …).
        public static let configuration = Category(rawValue: "configuration")
        /// The file could not be read or exceeds a size limit.
        public static let invalidDocument = Category(rawValue: "invalid-document")
    }

    public var format: Int
    /// The Message-ID the message was (or would have been) sent with.
    public var messageId: String?
    public var partner: String
    public var file: SidecarFile
    public var failedAt: Date
    public var reason: String
    public var category: Category
    public var attempts: Int
    public var lastHttpStatus: Int?
    /// The Disposition field of a negative MDN.
    public var mdnDisposition: String?
    /// Technical detail for support (error text, TLS alert, MDN explanation).
    public var details: String?

    public init(
        messageId: String?, partner: String, file: SidecarFile, failedAt: Date, reason: String,
        category: Category, attempts: Int, lastHttpStatus: Int? = nil, mdnDisposition: String? = nil,
        details: String? = nil
    ) {
        self.format = SidecarCoding.format
        self.messageId = messageId
        self.partner = partner
        self.file = file
        self.failedAt = failedAt
        self.reason = reason
        self.category = category
        self.attempts = attempts
        self.lastHttpStatus = lastHttpStatus
        self.mdnDisposition = mdnDisposition
        self.details = details
    }

    enum CodingKeys: String, CodingKey {
        case format, partner, file, reason, category, attempts, details
        case messageId = "message_id"
        case failedAt = "failed_at"
        case lastHttpStatus = "last_http_status"
        case mdnDisposition = "mdn_disposition"
    }

    public func encoded() throws -> Data { try SidecarCoding.encode(self) }

    public static func decode(from data: Data) throws -> ErrorSidecar {
        try SidecarCoding.decode(ErrorSidecar.self, from: data)
    }
}
