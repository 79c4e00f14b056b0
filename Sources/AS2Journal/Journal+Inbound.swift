import Foundation
import GRDB

/// Inbound flow: duplicate check → processing → delivered/rejected with the MDN returned, and
/// the delivery of asynchronous MDNs (requirements §4.8, §5.2).
extension Journal {
    /// Decides atomically whether a received message is processed: claims its duplicate key in
    /// memory, then looks for a stored row with that key. Of concurrent calls with the same key
    /// exactly one gets `.new`; the others `.duplicateInProgress` (or `.conflict` for another body)
    /// until the claim is completed or abandoned. Nothing is written for a new message: its row is
    /// inserted by `completeInbound` in one durable transaction.
    public func beginInbound(
        partner: String, as2From: String, as2To: String, messageID: String, messageIDKey: String,
        bodySHA256: String
    ) async throws -> InboundBegin {
        let digest = bodySHA256.lowercased()
        let key = InboundClaim.Key(as2From: as2From, as2To: as2To, messageIDKey: messageIDKey)
        let taken = inboundClaims.withLock { $0.claim(key, digest: digest) }
        let token: UInt64
        switch taken {
        case .claimed(let newToken): token = newToken
        case .held(let heldDigest): return heldDigest == digest ? .duplicateInProgress : .conflict(id: nil)
        }
        let existing: MessageRow?
        do {
            existing = try readNow { db in
                let lookup = try db.cachedStatement(
                    sql: "SELECT * FROM message WHERE direction = ? AND as2_from = ? AND as2_to = ? AND message_id_key = ?")
                return try MessageRow.fetchOne(
                    lookup, arguments: [MessageDirection.inbound.rawValue, as2From, as2To, messageIDKey])
            }
        } catch {
            releaseInbound(key, token)
            throw error
        }
        let claim = InboundClaim(
            partner: partner, as2From: as2From, as2To: as2To, messageID: messageID, messageIDKey: messageIDKey,
            bodySHA256: digest, takeover: nil, token: token)
        guard let row = existing, let id = row.id else { return .new(claim) }
        let state = InboundState(rawValue: row.state)
        if state == .interrupted {
            return .new(InboundClaim(
                partner: partner, as2From: as2From, as2To: as2To, messageID: messageID, messageIDKey: messageIDKey,
                bodySHA256: digest, takeover: id, token: token))
        }
        // A stored earlier message: answered from the row; the claim is not needed.
        releaseInbound(key, token)
        // The event only records the resend: losing it in a crash is harmless (no fsync awaited).
        if row.bodySHA256 != digest {
            try await write(durable: false) { [clock] db in
                try Self.appendEvent(
                    db, id, now: clock(), kind: .conflict, state: row.state,
                    detail: "Message-ID reuse with different content: body sha256 \(digest), stored \(row.bodySHA256 ?? "?")")
            }
            return .conflict(id: id)
        }
        if state == .processing {
            // Left by an earlier version before `releaseStaleInbound` ran.
            try await write(durable: false) { [clock] db in
                try Self.appendEvent(db, id, now: clock(), kind: .duplicate, state: row.state, detail: "received again while processing")
            }
            return .duplicateInProgress
        }
        try await write(durable: false) { [clock] db in
            try Self.appendEvent(
                db, id, now: clock(), kind: .duplicate, state: row.state, detail: "received again; answered with the stored MDN")
        }
        return .duplicateCompleted(try row.inbound())
    }

    /// Records the outcome of a claimed message in one durable transaction — its row with the
    /// outcome, the MDN returned (raw bytes for evidence and duplicate replay; an async one becomes
    /// due now), the evidence of origin and evidence paths — then releases the claim. Commit this
    /// before the positive MDN leaves (DESIGN.md §5). The claim is released on failure too.
    @discardableResult
    public func completeInbound(
        _ claim: InboundClaim, outcome: InboundOutcome, mdn: OutgoingMDN?, evidencePaths: [String] = [],
        origin: OriginEvidence? = nil
    ) async throws -> InboundMessage {
        guard inboundClaims.withLock({ $0.holds(claim.key, token: claim.token) }) else {
            throw JournalError.invalidTransition("completeInbound", id: claim.takeover ?? 0, state: "not claimed")
        }
        defer { releaseInbound(claim.key, claim.token) }
        return try await write { [clock] db in
            let now = clock()
            if let origin { try Self.storeCertificate(db, origin, now: now) }
            // The interrupted row, unless retention deleted it meanwhile (then a new row).
            if let takeover = claim.takeover, var row = try Self.fetchRowIfAny(db, takeover, .inbound) {
                guard row.state == InboundState.interrupted.rawValue else {
                    throw JournalError.invalidTransition("completeInbound", id: takeover, state: row.state)
                }
                let previous = row.bodySHA256 ?? "?"
                row.partner = claim.partner
                row.messageID = claim.messageID
                row.bodySHA256 = claim.bodySHA256
                row.updatedAt = now
                try Self.appendEvent(
                    db, takeover, now: now, kind: .reprocessing, state: InboundState.processing.rawValue,
                    detail: "resend takes over the interrupted message; body sha256 \(claim.bodySHA256) (was \(previous))")
                let (kind, detail) = Self.apply(outcome, mdn: mdn, evidencePaths: evidencePaths, origin: origin, to: &row, now: now)
                try Self.save(db, &row, now: now, event: kind, detail: detail)
                return try row.inbound()
            }
            var row = MessageRow(
                direction: .inbound, state: InboundState.processing.rawValue, partner: claim.partner,
                as2From: claim.as2From, as2To: claim.as2To, messageID: claim.messageID, messageIDKey: claim.messageIDKey,
                bodySHA256: claim.bodySHA256, createdAt: now, updatedAt: now)
            let (kind, detail) = Self.apply(outcome, mdn: mdn, evidencePaths: evidencePaths, origin: origin, to: &row, now: now)
            try row.insertCached(db)
            let id = db.lastInsertedRowID
            try Self.appendEvent(
                db, id, now: now, kind: .received, state: InboundState.processing.rawValue,
                detail: "\(claim.messageID); body sha256 \(claim.bodySHA256)")
            try Self.appendEvent(db, id, now: now, kind: kind, state: row.state, detail: detail)
            return try row.inbound()
        }
    }

    /// Gives up processing a claimed message without answering it (a temporary failure on our
    /// side, such as a full disk): nothing was stored, so the partner's resend is processed afresh.
    /// Does nothing when the claim was already completed or abandoned.
    public func abandonInbound(_ claim: InboundClaim) {
        releaseInbound(claim.key, claim.token)
    }

    private func releaseInbound(_ key: InboundClaim.Key, _ token: UInt64) {
        inboundClaims.withLock { $0.release(key, token: token) }
    }

    /// Sets the columns of a completed inbound row; returns its event.
    private static func apply(
        _ outcome: InboundOutcome, mdn: OutgoingMDN?, evidencePaths: [String], origin: OriginEvidence?,
        to row: inout MessageRow, now: Date
    ) -> (EventKind, String) {
        if let origin {
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
