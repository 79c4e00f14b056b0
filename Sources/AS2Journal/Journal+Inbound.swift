import Foundation
import GRDB

/// Inbound flow: duplicate check → processing → delivered/rejected with the MDN returned, and
/// the delivery of asynchronous MDNs (requirements §4.8, §5.2).
extension Journal {
    /// Decides atomically whether a received message is processed: inserts a `processing` row
    /// under the duplicate key, or reports the existing row's status. Of concurrent calls with
    /// the same key exactly one gets `.new`. Not fsynced (`durable: false`): losing it in a crash
    /// loses nothing — no receipt has left, and the partner's resend is processed as new (a
    /// document already in inbox/ is found by its sidecar); `completeInbound`'s commit makes it durable.
    public func beginInbound(
        partner: String, as2From: String, as2To: String, messageID: String, messageIDKey: String,
        bodySHA256: String
    ) async throws -> InboundBegin {
        let digest = bodySHA256.lowercased()
        return try await write(durable: false) { [clock] db in
            let now = clock()
            let lookup = try db.cachedStatement(
                sql: "SELECT * FROM message WHERE direction = ? AND as2_from = ? AND as2_to = ? AND message_id_key = ?")
            let existing = try MessageRow.fetchOne(
                lookup, arguments: [MessageDirection.inbound.rawValue, as2From, as2To, messageIDKey])
            guard var row = existing, let id = row.id else {
                var row = MessageRow(
                    direction: .inbound, state: InboundState.processing.rawValue, partner: partner,
                    as2From: as2From, as2To: as2To, messageID: messageID, messageIDKey: messageIDKey,
                    bodySHA256: digest, createdAt: now, updatedAt: now)
                try Self.save(db, &row, now: now, event: .received, detail: "\(messageID); body sha256 \(digest)")
                guard let id = row.id else { throw JournalError.corruptRow(nil, "inserted row has no id") }
                return .new(id: id)
            }
            let state = InboundState(rawValue: row.state)
            if state == .interrupted {
                let previous = row.bodySHA256 ?? "?"
                row.state = InboundState.processing.rawValue
                row.partner = partner
                row.messageID = messageID
                row.bodySHA256 = digest
                try Self.save(
                    db, &row, now: now, event: .reprocessing,
                    detail: "resend takes over the interrupted message; body sha256 \(digest) (was \(previous))")
                return .new(id: id)
            }
            if row.bodySHA256 != digest {
                try Self.appendEvent(
                    db, id, now: now, kind: .conflict, state: row.state,
                    detail: "Message-ID reuse with different content: body sha256 \(digest), stored \(row.bodySHA256 ?? "?")")
                return .conflict(id: id)
            }
            if state == .processing {
                try Self.appendEvent(
                    db, id, now: now, kind: .duplicate, state: row.state, detail: "received again while processing")
                return .duplicateInProgress(id: id)
            }
            try Self.appendEvent(
                db, id, now: now, kind: .duplicate, state: row.state,
                detail: "received again; answered with the stored MDN")
            return .duplicateCompleted(try row.inbound())
        }
    }

    /// Completes a `processing` message in one transaction: its outcome, the MDN returned (raw
    /// bytes for evidence and duplicate replay; an async one becomes due now), the evidence of
    /// origin and evidence paths. Commit this before the positive MDN leaves (DESIGN.md §5).
    @discardableResult
    public func completeInbound(
        _ id: Int64, outcome: InboundOutcome, mdn: OutgoingMDN?, evidencePaths: [String] = [],
        origin: OriginEvidence? = nil
    ) async throws -> InboundMessage {
        try await updateInbound(id, "completeInbound", from: [.processing]) { db, row, now in
            if let origin {
                try Self.storeCertificate(db, origin, now: now)
                row.evidenceSignedEntity = origin.signedEntity
                row.evidenceSignerSHA256 = origin.signerSHA256.lowercased()
            }
            let kind: EventKind
            var detail: String
            switch outcome {
            case .delivered(let document):
                row.state = InboundState.delivered.rawValue
                row.resultPaths = document.paths
                row.payloadSHA256 = document.sha256.lowercased()
                row.payloadSize = document.size
                row.fileName = document.paths.first.map(Self.lastComponent)
                kind = .delivered
                detail = "\(document.paths.first ?? "?") (\(document.size) bytes, sha256 \(document.sha256))"
            case .rejected(let disposition):
                row.state = InboundState.rejected.rawValue
                row.disposition = disposition
                kind = .rejected
                detail = disposition
            }
            row.evidencePaths = evidencePaths
            if let mdn {
                row.mdnRaw = mdn.raw
                row.mdnHeaders = mdn.headers
                row.mdnMode = mdn.delivery.mode
                switch mdn.delivery {
                case .sync:
                    detail += "; MDN sync"
                case .async(let url):
                    row.mdnAsyncURL = url
                    row.mdnState = .pending
                    row.mdnAttempts = 0
                    row.mdnNextAttemptAt = now
                    detail += "; MDN async to \(url)"
                }
            } else {
                detail += "; no MDN requested"
            }
            return (kind, detail)
        }
    }

    /// Marks every `processing` row `interrupted`. Call once at start, before accepting requests:
    /// a row still processing then was cut off by a crash, and the partner's resend of it must be
    /// processed again. Returns how many rows were released.
    @discardableResult
    public func releaseStaleInbound() async throws -> Int {
        try await write { [clock] db in
            let now = clock()
            let rows =
                try MessageRow
                .filter(MessageRow.Columns.direction == MessageDirection.inbound.rawValue)
                .filter(MessageRow.Columns.state == InboundState.processing.rawValue)
                .fetchAll(db)
            for var row in rows {
                row.state = InboundState.interrupted.rawValue
                try Self.save(
                    db, &row, now: now, event: .interrupted,
                    detail: "processing did not complete before the agent stopped; awaiting the partner's resend")
            }
            return rows.count
        }
    }

    /// Gives up processing one message without answering it (a temporary failure on our side, such
    /// as a full disk): the row becomes `interrupted`, so the partner's resend is processed afresh.
    /// Not fsynced: after a crash a row still `processing` is released at start all the same.
    @discardableResult
    public func abandonInbound(_ id: Int64, reason: String) async throws -> InboundMessage {
        try await updateInbound(id, "abandonInbound", durable: false, from: [.processing]) { _, row, _ in
            row.state = InboundState.interrupted.rawValue
            return (.interrupted, reason)
        }
    }

    // MARK: - Asynchronous MDN delivery

    /// Inbound messages whose async MDN is due to be POSTed by `now`, earliest first.
    public func asyncMDNsDue(now: Date) async throws -> [InboundMessage] {
        try await read { db in
            try MessageRow
                .filter(MessageRow.Columns.direction == MessageDirection.inbound.rawValue)
                .filter(MessageRow.Columns.mdnState == AsyncMDNState.pending.rawValue)
                .filter(MessageRow.Columns.mdnNextAttemptAt <= now)
                .order(MessageRow.Columns.mdnNextAttemptAt, MessageRow.Columns.id)
                .fetchAll(db)
                .map { try $0.inbound() }
        }
    }

    /// The partner accepted the async MDN (2xx).
    @discardableResult
    public func markAsyncMDNSent(_ id: Int64) async throws -> InboundMessage {
        try await updateAsyncMDN(id, "markAsyncMDNSent", from: [.pending]) { row, now in
            row.mdnState = .sent
            row.mdnAttempts += 1
            row.mdnAt = now
            row.mdnNextAttemptAt = nil
            return (.mdnSent, "attempt \(row.mdnAttempts) to \(row.mdnAsyncURL ?? "?")")
        }
    }

    /// A POST of the async MDN failed transiently; try again at `at` (R-ASYNC-2).
    @discardableResult
    public func scheduleAsyncMDNRetry(_ id: Int64, at: Date, reason: String) async throws -> InboundMessage {
        try await updateAsyncMDN(id, "scheduleAsyncMDNRetry", from: [.pending]) { row, _ in
            row.mdnAttempts += 1
            row.mdnNextAttemptAt = at
            row.lastError = reason
            return (.mdnRetryScheduled, "attempt \(row.mdnAttempts): \(reason); next \(Self.format(at))")
        }
    }

    /// Gives up on the async MDN. `attempted` says whether a POST was made this time (false when
    /// the URL was refused before sending).
    @discardableResult
    public func markAsyncMDNFailed(_ id: Int64, reason: String, attempted: Bool = true) async throws
        -> InboundMessage
    {
        try await updateAsyncMDN(id, "markAsyncMDNFailed", from: [.pending]) { row, _ in
            row.mdnState = .failed
            if attempted { row.mdnAttempts += 1 }
            row.mdnNextAttemptAt = nil
            row.lastError = reason
            return (.mdnFailed, reason)
        }
    }

    /// Queues the stored async MDN to be POSTed again now, for a duplicate of a completed message
    /// (R-DUP-2: "async: POST again"); `url` replaces the stored URL when the resend names another.
    @discardableResult
    public func requeueAsyncMDN(_ id: Int64, url: String? = nil) async throws -> InboundMessage {
        try await updateAsyncMDN(id, "requeueAsyncMDN", from: [.pending, .sent, .failed]) { row, now in
            row.mdnState = .pending
            row.mdnNextAttemptAt = now
            if let url { row.mdnAsyncURL = url }
            return (.mdnRequeued, "to \(row.mdnAsyncURL ?? "?")")
        }
    }

    // MARK: - Inbound queries

    /// A signer certificate kept as evidence, in PEM, by its SHA-256 fingerprint (lowercase hex).
    public func certificate(sha256: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT pem FROM certificate WHERE sha256 = ?", arguments: [sha256.lowercased()])
        }
    }

    /// Stores the signer certificate unless its fingerprint is already there.
    static func storeCertificate(_ db: Database, _ origin: OriginEvidence, now: Date) throws {
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO certificate (sha256, pem, subject, first_seen_at) VALUES (?, ?, ?, ?)")
        try insert.execute(arguments: [origin.signerSHA256.lowercased(), origin.signerPEM, origin.signerSubject, now])
    }

    /// The inbound message `id`, if any.
    public func inbound(_ id: Int64) async throws -> InboundMessage? {
        try await read { db in
            guard let row = try MessageRow.fetchOne(db, key: id), row.direction == .inbound else { return nil }
            return try row.inbound()
        }
    }

    // MARK: - Helpers

    private func updateInbound(
        _ id: Int64, _ operation: String, durable: Bool = true, from allowed: Set<InboundState>,
        _ change: @escaping @Sendable (Database, inout MessageRow, Date) throws -> (EventKind, String?)
    ) async throws -> InboundMessage {
        try await write(durable: durable) { [clock] db in
            let now = clock()
            var row = try Self.fetchRow(db, id, .inbound)
            guard let state = InboundState(rawValue: row.state), allowed.contains(state) else {
                throw JournalError.invalidTransition(operation, id: id, state: row.state)
            }
            let (kind, detail) = try change(db, &row, now)
            try Self.save(db, &row, now: now, event: kind, detail: detail)
            return try row.inbound()
        }
    }

    private func updateAsyncMDN(
        _ id: Int64, _ operation: String, from allowed: Set<AsyncMDNState>,
        _ change: @escaping @Sendable (inout MessageRow, Date) throws -> (EventKind, String?)
    ) async throws -> InboundMessage {
        try await write { [clock] db in
            let now = clock()
            var row = try Self.fetchRow(db, id, .inbound)
            guard row.mdnMode == .async, let mdnState = row.mdnState, allowed.contains(mdnState) else {
                throw JournalError.invalidTransition(
                    operation, id: id, state: row.mdnState?.rawValue ?? "\(row.state) without async MDN")
            }
            let (kind, detail) = try change(&row, now)
            row.updatedAt = now
            try row.update(db)
            try Self.appendEvent(db, id, now: now, kind: kind, state: row.mdnState?.rawValue, detail: detail)
            return try row.inbound()
        }
    }
}
