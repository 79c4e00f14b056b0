/// The JSON verdict of `as2-agent inspect` for a message or an MDN (documented in docs/inspect.md).
public struct InspectionReport: Codable, Sendable {
    public struct Layer: Codable, Sendable {
        public var type: String
        public var algorithm: String?
        public var keyTransport: String?
        public var scheme: String?
        public var certificateSHA256: String?
        public var status: String?
    }
    public struct MIC: Codable, Sendable {
        public var algorithm: String
        public var digest: String
    }
    public struct Payload: Codable, Sendable {
        public var size: Int
        public var sha256: String
        public var contentType: String?
        public var filename: String?
        public var originalFilename: String?
        public var extractedTo: String?
    }
    public struct MDNRequested: Codable, Sendable {
        public var mode: String
        public var signed: Bool
        public var micalg: [String]
        public var url: String?
    }

    public var kind: String
    public var valid: Bool
    public var messageID: String?
    public var as2From: String?
    public var as2To: String?
    public var subject: String?
    public var layers: [Layer]
    public var mic: MIC?
    public var payload: Payload?
    public var mdnRequested: MDNRequested?
    /// For a message: the disposition the agent would return. For an MDN: the one it carries.
    public var disposition: String?
    public var error: String?
    public var notes: [String]
    // MDN only
    public var originalMessageID: String?
    public var signed: Bool?
    public var positive: Bool?

    public init(kind: String) {
        self.kind = kind
        self.valid = false
        self.layers = []
        self.notes = []
    }

    enum CodingKeys: String, CodingKey {
        case kind, valid, layers, mic, payload, disposition, error, notes, signed, positive, subject
        case messageID = "message_id"
        case as2From = "as2_from"
        case as2To = "as2_to"
        case mdnRequested = "mdn_requested"
        case originalMessageID = "original_message_id"
    }
}

extension InspectionReport.Layer {
    enum CodingKeys: String, CodingKey {
        case type, algorithm, scheme, status
        case keyTransport = "key_transport"
        case certificateSHA256 = "certificate_sha256"
    }
}

extension InspectionReport.Payload {
    enum CodingKeys: String, CodingKey {
        case size, sha256, filename
        case contentType = "content_type"
        case originalFilename = "original_filename"
        case extractedTo = "extracted_to"
    }
}
