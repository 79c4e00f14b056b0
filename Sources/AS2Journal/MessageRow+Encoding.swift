import Foundation
import GRDB

/// Hand-written column encoding: GRDB's Codable path encoded all 47 columns through a keyed
/// encoding container on every save (a fifth of the journal's CPU per message). Values are stored
/// exactly as that path stored them — raw values for enums, GRDB's Date format, JSON byte for byte
/// as `databaseJSONEncoder(for:)` writes it (`JournalJSON` for header and string lists) — and read
/// back by `init(row:)` (MessageRow+Decoding).
extension MessageRow {
    /// One column: its name, whether two rows differ in it, and its stored value.
    struct ColumnCodec: Sendable {
        let name: String
        let differs: @Sendable (MessageRow, MessageRow) -> Bool
        let value: @Sendable (MessageRow) throws -> (any DatabaseValueConvertible)?
    }

    private static func column<V: Equatable & Sendable>(
        _ key: CodingKeys, _ path: KeyPath<MessageRow, V> & Sendable,
        _ value: @escaping @Sendable (V) throws -> (any DatabaseValueConvertible)?
    ) -> ColumnCodec {
        ColumnCodec(name: key.rawValue, differs: { $0[keyPath: path] != $1[keyPath: path] }, value: { try value($0[keyPath: path]) })
    }

    /// Every column of `message`: the one list both `encode(to:)` (inserts and
    /// GRDB's record API) and `update(_:from:)` (only the changed columns) write from.
    static let columnCodecs: [ColumnCodec] = {
        typealias K = CodingKeys
        return [
            column(K.id, \.id) { $0 },
            column(K.direction, \.direction) { $0.rawValue },
            column(K.state, \.state) { $0 },
            column(K.partner, \.partner) { $0 },
            column(K.as2From, \.as2From) { $0 },
            column(K.as2To, \.as2To) { $0 },
            column(K.messageID, \.messageID) { $0 },
            column(K.messageIDKey, \.messageIDKey) { $0 },
            column(K.priorMessageIDs, \.priorMessageIDs) { try json($0, K.priorMessageIDs) },
            column(K.fileName, \.fileName) { $0 },
            column(K.originalPath, \.originalPath) { $0 },
            column(K.claimedPath, \.claimedPath) { $0 },
            column(K.payloadSize, \.payloadSize) { $0 },
            column(K.payloadSHA256, \.payloadSHA256) { $0 },
            column(K.bodySHA256, \.bodySHA256) { $0 },
            column(K.builtBodyPath, \.builtBodyPath) { $0 },
            column(K.builtBody, \.builtBody) { $0 },
            column(K.builtHeaders, \.builtHeaders) { $0.map(JournalJSON.headers) },
            column(K.micDigests, \.micDigests) { try json($0, K.micDigests) },
            column(K.dateHeader, \.dateHeader) { $0 },
            column(K.attempts, \.attempts) { $0 },
            column(K.nextAttemptAt, \.nextAttemptAt) { $0 },
            column(K.mdnDeadline, \.mdnDeadline) { $0 },
            column(K.lastError, \.lastError) { $0 },
            column(K.disposition, \.disposition) { $0 },
            column(K.mdnMode, \.mdnMode) { $0?.rawValue },
            column(K.mdnRaw, \.mdnRaw) { $0 },
            column(K.mdnHeaders, \.mdnHeaders) { $0.map(JournalJSON.headers) },
            column(K.mdnSigned, \.mdnSigned) { $0 },
            column(K.mdnSignatureVerified, \.mdnSignatureVerified) { $0 },
            column(K.mdnMICMatched, \.mdnMICMatched) { $0 },
            column(K.mdnSigner, \.mdnSigner) { $0 },
            column(K.mdnAt, \.mdnAt) { $0 },
            column(K.mdnAsyncURL, \.mdnAsyncURL) { $0 },
            column(K.mdnState, \.mdnState) { $0?.rawValue },
            column(K.mdnAttempts, \.mdnAttempts) { $0 },
            column(K.mdnNextAttemptAt, \.mdnNextAttemptAt) { $0 },
            column(K.resultPaths, \.resultPaths) { $0.map(JournalJSON.strings) },
            column(K.evidencePaths, \.evidencePaths) { $0.map(JournalJSON.strings) },
            column(K.evidenceSignedEntity, \.evidenceSignedEntity) { $0 },
            column(K.evidenceSignerSHA256, \.evidenceSignerSHA256) { $0 },
            column(K.createdAt, \.createdAt) { $0 },
            column(K.updatedAt, \.updatedAt) { $0 },
        ]
    }()

    func encode(to container: inout PersistenceContainer) throws {
        for column in Self.columnCodecs { container[column.name] = try column.value(self) }
    }

    /// Every column but `id`, and the cached INSERT naming them.
    private static let insertedColumns = columnCodecs.filter { $0.name != CodingKeys.id.rawValue }
    private static let insertSQL =
        "INSERT INTO message (" + insertedColumns.map(\.name).joined(separator: ", ") + ") VALUES ("
        + insertedColumns.map { _ in "?" }.joined(separator: ", ") + ")"

    /// Inserts the row (without `id`) with one cached statement and sets `id`; GRDB's record
    /// `insert` built its statement on every call.
    mutating func insertCached(_ db: Database) throws {
        let values = try Self.insertedColumns.map { try $0.value(self) }
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: StatementArguments(values))
        id = db.lastInsertedRowID
    }

    /// Writes the columns in which `self` differs from `old` (the same row as read), and
    /// `updated_at`, with one cached UPDATE. GRDB's record `update` re-encoded and rewrote all 47
    /// columns and built its statement on every call (8 % of the sender's CPU per file).
    func update(_ db: Database, from old: MessageRow) throws {
        guard let id else { throw JournalError.corruptRow(nil, "updated row has no id") }
        var assignments = "updated_at = ?"
        var values: [(any DatabaseValueConvertible)?] = [updatedAt]
        for column in Self.columnCodecs
        where column.name != CodingKeys.id.rawValue && column.name != CodingKeys.updatedAt.rawValue && column.differs(old, self) {
            assignments += ", \(column.name) = ?"
            values.append(try column.value(self))
        }
        values.append(id)
        try db.cachedStatement(sql: "UPDATE message SET \(assignments) WHERE id = ?").execute(arguments: StatementArguments(values))
        guard db.changesCount == 1 else { throw JournalError.messageNotFound(id, direction) }
    }

    /// A JSON text column as GRDB's Codable encoding writes it; `nil` stays NULL.
    private static func json(_ value: (some Encodable)?, _ key: CodingKeys) throws -> String? {
        guard let value else { return nil }
        return String(decoding: try databaseJSONEncoder(for: key.rawValue).encode(value), as: UTF8.self)
    }
}
