import Foundation
import GRDB

/// The `message` table, one row per message of either direction. Internal: callers see the
/// typed views `OutboundMessage` and `InboundMessage`.
struct MessageRow: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "message"

    var id: Int64?
    var direction: MessageDirection
    /// `OutboundState` or `InboundState` raw value, depending on `direction`.
    var state: String
    var partner: String
    var as2From: String
    var as2To: String
    var messageID: String
    var messageIDKey: String
    var priorMessageIDs: [PriorMessageID]?
    /// Last path component of the document (outbound original, inbound delivered), for searches.
    var fileName: String?
    var originalPath: String?
    var claimedPath: String?
    var payloadSize: Int64?
    var payloadSHA256: String?
    var bodySHA256: String?
    var builtBodyPath: String?
    /// The built request's body when kept in the journal (small messages); nil: the file at `builtBodyPath`.
    var builtBody: Data?
    var builtHeaders: [HeaderField]?
    var micDigests: [String: String]?
    var dateHeader: String?
    var attempts: Int = 0
    var nextAttemptAt: Date?
    var mdnDeadline: Date?
    var lastError: String?
    var disposition: String?
    var mdnMode: MDNMode?
    var mdnRaw: Data?
    var mdnHeaders: [HeaderField]?
    var mdnSigned: Bool?
    var mdnSignatureVerified: Bool?
    var mdnMICMatched: Bool?
    var mdnSigner: String?
    /// Outbound: when the MDN was received. Inbound: when the async MDN was accepted.
    var mdnAt: Date?
    var mdnAsyncURL: String?
    var mdnState: AsyncMDNState?
    var mdnAttempts: Int = 0
    var mdnNextAttemptAt: Date?
    var resultPaths: [String]?
    var evidencePaths: [String]?
    var evidenceSignedEntity: Data?
    var evidenceSignerSHA256: String?
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case direction
        case state
        case partner
        case as2From = "as2_from"
        case as2To = "as2_to"
        case messageID = "message_id"
        case messageIDKey = "message_id_key"
        case priorMessageIDs = "prior_message_ids"
        case fileName = "file_name"
        case originalPath = "original_path"
        case claimedPath = "claimed_path"
        case payloadSize = "payload_size"
        case payloadSHA256 = "payload_sha256"
        case bodySHA256 = "body_sha256"
        case builtBodyPath = "built_body_path"
        case builtBody = "built_body"
        case builtHeaders = "built_headers"
        case micDigests = "mic_digests"
        case dateHeader = "date_header"
        case attempts
        case nextAttemptAt = "next_attempt_at"
        case mdnDeadline = "mdn_deadline"
        case lastError = "last_error"
        case disposition
        case mdnMode = "mdn_mode"
        case mdnRaw = "mdn_raw"
        case mdnHeaders = "mdn_headers"
        case mdnSigned = "mdn_signed"
        case mdnSignatureVerified = "mdn_signature_verified"
        case mdnMICMatched = "mdn_mic_matched"
        case mdnSigner = "mdn_signer"
        case mdnAt = "mdn_at"
        case mdnAsyncURL = "mdn_async_url"
        case mdnState = "mdn_state"
        case mdnAttempts = "mdn_attempts"
        case mdnNextAttemptAt = "mdn_next_attempt_at"
        case resultPaths = "result_paths"
        case evidencePaths = "evidence_paths"
        case evidenceSignedEntity = "evidence_signed_entity"
        case evidenceSignerSHA256 = "evidence_signer_sha256"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let direction = Column(CodingKeys.direction)
        static let state = Column(CodingKeys.state)
        static let partner = Column(CodingKeys.partner)
        static let as2From = Column(CodingKeys.as2From)
        static let as2To = Column(CodingKeys.as2To)
        static let messageID = Column(CodingKeys.messageID)
        static let messageIDKey = Column(CodingKeys.messageIDKey)
        static let priorMessageIDs = Column(CodingKeys.priorMessageIDs)
        static let fileName = Column(CodingKeys.fileName)
        static let claimedPath = Column(CodingKeys.claimedPath)
        static let payloadSHA256 = Column(CodingKeys.payloadSHA256)
        static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
        static let mdnDeadline = Column(CodingKeys.mdnDeadline)
        static let mdnState = Column(CodingKeys.mdnState)
        static let mdnNextAttemptAt = Column(CodingKeys.mdnNextAttemptAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension MessageRow {
    /// The typed outbound view; throws if the row is not a well-formed outbound row.
    func outbound() throws -> OutboundMessage {
        guard direction == .outbound, let id else { throw JournalError.corruptRow(id, "not an outbound row") }
        guard let state = OutboundState(rawValue: state) else {
            throw JournalError.corruptRow(id, "unknown outbound state \(self.state)")
        }
        guard let originalPath, let claimedPath, let payloadSize, let payloadSHA256 else {
            throw JournalError.corruptRow(id, "outbound row without its claimed payload")
        }
        var built: BuiltMessage?
        if let builtBodyPath, let builtHeaders, let micDigests, let dateHeader {
            built = BuiltMessage(
                bodyPath: builtBodyPath, body: builtBody.map { [UInt8]($0) }, headers: builtHeaders, micDigests: micDigests,
                dateHeader: dateHeader)
        }
        var mdn: MDNEvidence?
        if let mdnRaw, let mdnMode, let mdnAt {
            mdn = MDNEvidence(
                raw: mdnRaw, headers: mdnHeaders ?? [], mode: mdnMode, disposition: disposition ?? "",
                signed: mdnSigned ?? false, signatureVerified: mdnSignatureVerified ?? false,
                micMatched: mdnMICMatched, signerCertificateSHA256: mdnSigner, receivedAt: mdnAt)
        }
        return OutboundMessage(
            id: id, partner: partner, as2From: as2From, as2To: as2To, messageID: messageID,
            messageIDKey: messageIDKey, priorMessageIDs: priorMessageIDs ?? [], state: state,
            originalPath: originalPath, claimedPath: claimedPath, payloadSize: payloadSize,
            payloadSHA256: payloadSHA256, built: built, attempts: attempts, nextAttemptAt: nextAttemptAt,
            mdnDeadline: mdnDeadline, lastError: lastError, mdn: mdn, resultPaths: resultPaths ?? [],
            createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The typed inbound view; throws if the row is not a well-formed inbound row.
    func inbound() throws -> InboundMessage {
        guard direction == .inbound, let id else { throw JournalError.corruptRow(id, "not an inbound row") }
        guard let state = InboundState(rawValue: state) else {
            throw JournalError.corruptRow(id, "unknown inbound state \(self.state)")
        }
        var document: DeliveredDocument?
        if state == .delivered, let payloadSHA256, let payloadSize {
            document = DeliveredDocument(paths: resultPaths ?? [], sha256: payloadSHA256, size: payloadSize)
        }
        var mdn: OutgoingMDN?
        if let mdnRaw, let mdnMode {
            let delivery: MDNDelivery
            switch mdnMode {
            case .sync: delivery = .sync
            case .async: delivery = .async(url: mdnAsyncURL ?? "")
            }
            mdn = OutgoingMDN(raw: mdnRaw, headers: mdnHeaders ?? [], delivery: delivery)
        }
        var asyncMDN: AsyncMDNStatus?
        if let mdnState {
            asyncMDN = AsyncMDNStatus(
                state: mdnState, attempts: mdnAttempts, nextAttemptAt: mdnNextAttemptAt, sentAt: mdnAt,
                lastError: lastError)
        }
        return InboundMessage(
            id: id, partner: partner, as2From: as2From, as2To: as2To, messageID: messageID,
            messageIDKey: messageIDKey, bodySHA256: bodySHA256 ?? "", state: state, document: document,
            disposition: state == .rejected ? disposition : nil, mdn: mdn, asyncMDN: asyncMDN,
            evidencePaths: evidencePaths ?? [], signedEntity: evidenceSignedEntity,
            signerCertificateSHA256: evidenceSignerSHA256, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// Either view, by direction.
    func message() throws -> JournalMessage {
        switch direction {
        case .outbound: .outbound(try outbound())
        case .inbound: .inbound(try inbound())
        }
    }
}

extension MessageRow {
    /// Stores the built request (outbound).
    mutating func setBuilt(_ built: BuiltMessage) {
        builtBodyPath = built.bodyPath
        builtBody = built.body.map { Data($0) }
        builtHeaders = built.headers
        micDigests = built.micDigests
        dateHeader = built.dateHeader
    }

    /// Stores the received MDN and its verification (outbound); `nil` clears them.
    mutating func setMDN(_ mdn: MDNEvidence?) {
        mdnRaw = mdn?.raw
        mdnHeaders = mdn?.headers
        mdnMode = mdn?.mode
        disposition = mdn?.disposition
        mdnSigned = mdn?.signed
        mdnSignatureVerified = mdn?.signatureVerified
        mdnMICMatched = mdn?.micMatched
        mdnSigner = mdn?.signerCertificateSHA256
        mdnAt = mdn?.receivedAt
    }
}
