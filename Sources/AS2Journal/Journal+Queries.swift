import Foundation
import GRDB

/// Read-only queries for the CLI (`as2-agent messages`, `message show`) and the scheduler.
extension Journal {
    /// The newest messages first, narrowed by any of: partner short name, state name (any of
    /// `JournalMessage.stateNames`; an async-MDN state matches inbound rows by their MDN state),
    /// direction, part of the file name or path, document SHA-256 (hex, any case).
    public func recent(
        limit: Int = 50, partner: String? = nil, state: String? = nil, direction: MessageDirection? = nil,
        filename: String? = nil, sha256: String? = nil
    ) async throws -> [JournalMessage] {
        try await read { db in
            var request = MessageRow.all()
            if let partner { request = request.filter(MessageRow.Columns.partner == partner) }
            if let state {
                request = request.filter(MessageRow.Columns.state == state || MessageRow.Columns.mdnState == state)
            }
            if let direction { request = request.filter(MessageRow.Columns.direction == direction.rawValue) }
            if let filename {
                request = request.filter(
                    sql: "(instr(file_name, ?) > 0 OR instr(original_path, ?) > 0)", arguments: [filename, filename])
            }
            if let sha256 { request = request.filter(MessageRow.Columns.payloadSHA256 == sha256.lowercased()) }
            return
                try request
                .order(MessageRow.Columns.id.desc)
                .limit(max(0, limit))
                .fetchAll(db)
                .map { try $0.message() }
        }
    }

    /// Messages matching a journal id or a Message-ID (with or without angle brackets, current,
    /// normalised or replaced by a resend), newest first. Several rows can share a Message-ID
    /// (different partners, or a message sent to this agent itself).
    public func find(idOrMessageID query: String) async throws -> [JournalMessage] {
        let text = query.trimmingCharacters(in: .whitespaces)
        let bracketed = text.hasPrefix("<") ? text : "<\(text)>"
        let rowID = Int64(text)
        return try await read { db in
            let priorMatch = SQL(
                """
                EXISTS (SELECT 1 FROM json_each(prior_message_ids) \
                WHERE json_extract(json_each.value, '$.messageID') IN (\(text), \(bracketed)) \
                OR json_extract(json_each.value, '$.messageIDKey') = \(text))
                """)
            var condition =
                [text, bracketed].contains(MessageRow.Columns.messageID)
                || MessageRow.Columns.messageIDKey == text || priorMatch
            if let rowID { condition = condition || MessageRow.Columns.id == rowID }
            return
                try MessageRow
                .filter(condition)
                .order(MessageRow.Columns.id.desc)
                .fetchAll(db)
                .map { try $0.message() }
        }
    }

    /// The timeline of message `id`, oldest first.
    public func events(for id: Int64) async throws -> [MessageEvent] {
        try await read { db in
            try EventRow
                .filter(EventRow.Columns.messageRowID == id)
                .order(EventRow.Columns.at, EventRow.Columns.id)
                .fetchAll(db)
                .map { try $0.event() }
        }
    }

    /// The earliest time anything scheduled becomes due (a retry, an async-MDN wait deadline, an
    /// async-MDN POST), so a scheduler can sleep until then; `nil` when nothing is scheduled.
    public func nextDueDate() async throws -> Date? {
        try await read { db in
            try Date.fetchOne(
                db,
                sql: """
                    SELECT MIN(due) FROM (
                      SELECT MIN(next_attempt_at) AS due FROM message
                        WHERE direction = 'outbound' AND state = 'retry_scheduled'
                      UNION ALL
                      SELECT MIN(mdn_deadline) FROM message
                        WHERE direction = 'outbound' AND state = 'awaiting_mdn'
                      UNION ALL
                      SELECT MIN(mdn_next_attempt_at) FROM message
                        WHERE mdn_state = 'mdn_pending')
                    """)
        }
    }
}
