import Foundation
import GRDB

/// The `event` table: the timeline of every message. Internal; callers see `MessageEvent`.
struct EventRow: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "event"

    var id: Int64?
    var messageRowID: Int64
    var at: Date
    /// `EventKind` raw value.
    var kind: String
    var state: String?
    var detail: String?

    enum CodingKeys: String, CodingKey {
        case id
        case messageRowID = "message_row_id"
        case at
        case kind
        case state
        case detail
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let messageRowID = Column(CodingKeys.messageRowID)
        static let at = Column(CodingKeys.at)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The public view; throws on an unknown kind (a row written by a newer version).
    func event() throws -> MessageEvent {
        guard let id, let kind = EventKind(rawValue: kind) else {
            throw JournalError.corruptRow(messageRowID, "event \(id.map(String.init) ?? "?") of unknown kind \(kind)")
        }
        return MessageEvent(id: id, messageRowID: messageRowID, at: at, kind: kind, state: state, detail: detail)
    }
}
