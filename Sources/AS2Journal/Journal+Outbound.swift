import Foundation
import GRDB

/// Outbound flow: claim → build → attempts → receipt or failure (requirements §5.1, §5.5).
extension Journal {
    /// Journals a freshly claimed file as `queued` under its Message-ID.
    @discardableResult
    public func createOutbound(
        partner: String, as2From: String, as2To: String, messageID: String, messageIDKey: String,
        originalPath: String, claimedPath: String, payloadSize: Int64, payloadSHA256: String
    ) async throws -> OutboundMessage {
        try await write { [clock] db in
            let now = clock()
            var row = Self.newOutboundRow(
                partner: partner, as2From: as2From, as2To: as2To, messageID: messageID, messageIDKey: messageIDKey,
                originalPath: originalPath, claimedPath: claimedPath, payloadSize: payloadSize,
                payloadSHA256: payloadSHA256, now: now)
            try Self.save(
                db, &row, now: now, event: .created,
                detail: Self.claimedDetail(originalPath, claimedPath, payloadSize, payloadSHA256))
            return try row.outbound()
        }
    }

    /// Journals a claimed file whose request is already built, as its first attempt starts: the
    /// `created`, `built` and `attempt` steps in one durable transaction (state `sending`,
    /// attempt 1), so that one fsync precedes the first POST instead of three. Nothing was sent
    /// before it commits: a crash before that leaves a claim without a row, sent afresh.
    @discardableResult
    public func createOutboundSending(
        partner: String, as2From: String, as2To: String, messageID: String, messageIDKey: String,
        originalPath: String, claimedPath: String, payloadSize: Int64, payloadSHA256: String, built: BuiltMessage
    ) async throws -> OutboundMessage {
        try await write { [clock] db in
            let now = clock()
            var row = Self.newOutboundRow(
                partner: partner, as2From: as2From, as2To: as2To, messageID: messageID, messageIDKey: messageIDKey,
                originalPath: originalPath, claimedPath: claimedPath, payloadSize: payloadSize,
                payloadSHA256: payloadSHA256, now: now)
            row.setBuilt(built)
            row.state = OutboundState.sending.rawValue
            row.attempts = 1
            row.updatedAt = now
            try row.insertCached(db)
            guard let id = row.id else { throw JournalError.corruptRow(nil, "saved row has no id") }
            try Self.appendEvent(
                db, id, now: now, kind: .created, state: OutboundState.queued.rawValue,
                detail: Self.claimedDetail(originalPath, claimedPath, payloadSize, payloadSHA256))
            try Self.appendEvent(
                db, id, now: now, kind: .built, state: OutboundState.queued.rawValue,
                detail: Self.builtDetail(built))
            try Self.appendEvent(db, id, now: now, kind: .attempt, state: row.state, detail: "attempt 1")
            return try row.outbound()
        }
    }

    /// A new `queued` outbound row for a claimed file (not yet inserted).
    static func newOutboundRow(
        partner: String, as2From: String, as2To: String, messageID: String, messageIDKey: String,
        originalPath: String, claimedPath: String, payloadSize: Int64, payloadSHA256: String, now: Date
    ) -> MessageRow {
        MessageRow(
            direction: .outbound, state: OutboundState.queued.rawValue, partner: partner, as2From: as2From,
            as2To: as2To, messageID: messageID, messageIDKey: messageIDKey,
            fileName: lastComponent(originalPath), originalPath: originalPath,
            claimedPath: claimedPath, payloadSize: payloadSize, payloadSHA256: payloadSHA256.lowercased(),
            createdAt: now, updatedAt: now)
    }

    /// The `created` event's detail.
    static func claimedDetail(_ originalPath: String, _ claimedPath: String, _ payloadSize: Int64, _ payloadSHA256: String) -> String {
        "claimed \(originalPath) as \(claimedPath) (\(payloadSize) bytes, sha256 \(payloadSHA256))"
    }

    /// The `built` event's detail.
    static func builtDetail(_ built: BuiltMessage) -> String { "\(describeBody(built)); MIC \(describe(built.micDigests))" }

    /// Records the exact request built for a `queued` message; every attempt sends these bytes.
    @discardableResult
    public func recordBuilt(_ id: Int64, _ built: BuiltMessage) async throws -> OutboundMessage {
        try await updateOutbound(id, "recordBuilt", from: [.queued]) { row, _ in
            // Once built, every attempt sends the same bytes (R-RS-1): never rebuilt in place.
            guard row.builtBodyPath == nil else {
                throw JournalError.invalidTransition("recordBuilt on a built message", id: id, state: row.state)
            }
            row.setBuilt(built)
            return (.built, Self.builtDetail(built))
        }
    }

    /// Replaces the Message-ID and the built request in one step, for partners that reject a
    /// resend under the same Message-ID (requirements R-RS-3). The old ID stays findable.
    @discardableResult
    public func recordResendWithNewMessageID(
        _ id: Int64, messageID: String, messageIDKey: String, built: BuiltMessage
    ) async throws -> OutboundMessage {
        try await updateOutbound(
            id, "recordResendWithNewMessageID", from: [.queued, .sending, .awaitingMDN, .retryScheduled]
        ) { row, now in
            let prior = PriorMessageID(messageID: row.messageID, messageIDKey: row.messageIDKey, replacedAt: now)
            row.priorMessageIDs = (row.priorMessageIDs ?? []) + [prior]
            row.messageID = messageID
            row.messageIDKey = messageIDKey
            row.setBuilt(built)
            return (.messageIDReplaced, "\(prior.messageID) → \(messageID); \(Self.describeBody(built))")
        }
    }

    /// Records that an HTTP attempt starts: state `sending`, `attempts` + 1.
    @discardableResult
    public func recordAttempt(_ id: Int64) async throws -> OutboundMessage {
        try await updateOutbound(id, "recordAttempt", from: [.queued, .sending, .awaitingMDN, .retryScheduled]) {
            row, _ in
            guard row.builtBodyPath != nil else {
                throw JournalError.invalidTransition("recordAttempt before recordBuilt", id: id, state: row.state)
            }
            row.state = OutboundState.sending.rawValue
            row.attempts += 1
            row.nextAttemptAt = nil
            row.mdnDeadline = nil
            return (.attempt, "attempt \(row.attempts)")
        }
    }

    /// Finishes the message as delivered: the receipt checked out (or none was requested:
    /// `mdn` nil). A `warning` makes it `delivered_with_warning`.
    @discardableResult
    public func markDelivered(
        _ id: Int64, mdn: MDNEvidence?, warning: String? = nil, resultPaths: [String] = []
    ) async throws -> OutboundMessage {
        try await updateOutbound(id, "markDelivered", from: [.sending, .awaitingMDN, .retryScheduled]) { row, now in
            let state: OutboundState = warning == nil ? .delivered : .deliveredWithWarning
            row.state = state.rawValue
            row.setMDN(mdn)
            row.lastError = warning
            row.nextAttemptAt = nil
            row.mdnDeadline = nil
            row.resultPaths = resultPaths
            row.builtBody = nil  // never sent again (a body file is removed by the agent)
            var detail = mdn.map { "MDN \($0.mode.rawValue): \($0.disposition)" } ?? "no MDN requested"
            if let warning { detail += "; warning: \(warning)" }
            return (state == .delivered ? .delivered : .deliveredWithWarning, detail)
        }
    }

    /// Records that the request was accepted and an asynchronous MDN is awaited until `deadline`
    /// (requirements R-ASYNC-5). Throws `invalidTransition` if a fast partner's MDN was already
    /// recorded (the message is delivered).
    @discardableResult
    public func markAwaitingAsyncMDN(_ id: Int64, deadline: Date) async throws -> OutboundMessage {
        try await updateOutbound(id, "markAwaitingAsyncMDN", from: [.sending]) { row, _ in
            row.state = OutboundState.awaitingMDN.rawValue
            row.mdnDeadline = deadline
            return (.awaitingMDN, "deadline \(Self.format(deadline))")
        }
    }

    /// Schedules the next attempt after a transient failure (R-RS-2, R-RS-4).
    @discardableResult
    public func scheduleRetry(_ id: Int64, at: Date, reason: String) async throws -> OutboundMessage {
        try await updateOutbound(
            id, "scheduleRetry", from: [.queued, .sending, .awaitingMDN, .retryScheduled]
        ) { row, _ in
            row.state = OutboundState.retryScheduled.rawValue
            row.nextAttemptAt = at
            row.mdnDeadline = nil
            row.lastError = reason
            return (.retryScheduled, "\(reason); next attempt \(Self.format(at))")
        }
    }

    /// Finishes the message as failed, keeping a receipt that caused it (error disposition,
    /// MIC mismatch) as evidence.
    @discardableResult
    public func markFailed(
        _ id: Int64, reason: String, mdn: MDNEvidence? = nil, resultPaths: [String] = []
    ) async throws -> OutboundMessage {
        try await updateOutbound(
            id, "markFailed", from: [.queued, .sending, .awaitingMDN, .retryScheduled]
        ) { row, _ in
            row.state = OutboundState.failed.rawValue
            if let mdn { row.setMDN(mdn) }
            row.lastError = reason
            row.nextAttemptAt = nil
            row.mdnDeadline = nil
            row.resultPaths = resultPaths
            row.builtBody = nil  // never sent again (a body file is removed by the agent)
            return (.failed, reason)
        }
    }

    // MARK: - Outbound queries

    /// The outbound message `id`, if any.
    public func outbound(_ id: Int64) async throws -> OutboundMessage? {
        try await read { db in
            guard let row = try MessageRow.fetchOne(db, key: id), row.direction == .outbound else { return nil }
            return try row.outbound()
        }
    }

    /// The outbound message created for a claimed file (recovery after a crash between claim and journal).
    public func findOutbound(claimedPath: String) async throws -> OutboundMessage? {
        try await read { db in
            guard let row = try MessageRow
                .filter(MessageRow.Columns.direction == MessageDirection.outbound.rawValue)
                .filter(MessageRow.Columns.claimedPath == claimedPath)
                .fetchOne(db)
            else { return nil }
            return try row.outbound()
        }
    }

    /// The unfinished outbound message an asynchronous MDN answers, by normalised
    /// Original-Message-ID (requirements R-VAL-2). Matches the current Message-ID and the ones it
    /// replaced, in `awaiting_mdn`, `retry_scheduled` or `sending` (a late MDN still counts).
    public func findOutboundAwaitingMDN(messageIDKey: String) async throws -> OutboundMessage? {
        try await read { db in
            let unfinished: [OutboundState] = [.awaitingMDN, .retryScheduled, .sending]
            let priorMatch = SQL(
                """
                EXISTS (SELECT 1 FROM json_each(prior_message_ids) \
                WHERE json_extract(json_each.value, '$.messageIDKey') = \(messageIDKey))
                """)
            let row =
                try MessageRow
                .filter(MessageRow.Columns.direction == MessageDirection.outbound.rawValue)
                .filter(unfinished.map(\.rawValue).contains(MessageRow.Columns.state))
                .filter(MessageRow.Columns.messageIDKey == messageIDKey || priorMatch)
                .order(MessageRow.Columns.id.desc)
                .fetchOne(db)
            return try row?.outbound()
        }
    }

    /// What to pick up after a restart: `queued` (maybe unbuilt), `sending` (resend the same bytes)
    /// and `retry_scheduled` rows due by `now`, oldest first.
    public func outboundToResume(now: Date) async throws -> [OutboundMessage] {
        try await read { db in
            try MessageRow
                .filter(MessageRow.Columns.direction == MessageDirection.outbound.rawValue)
                .filter(
                    [OutboundState.queued.rawValue, OutboundState.sending.rawValue].contains(MessageRow.Columns.state)
                        || (MessageRow.Columns.state == OutboundState.retryScheduled.rawValue
                            && MessageRow.Columns.nextAttemptAt <= now))
                .order(MessageRow.Columns.id)
                .fetchAll(db)
                .map { try $0.outbound() }
        }
    }

    /// `retry_scheduled` messages whose next attempt is due by `now`, earliest first.
    public func dueRetries(now: Date) async throws -> [OutboundMessage] {
        try await read { db in
            try MessageRow
                .filter(MessageRow.Columns.direction == MessageDirection.outbound.rawValue)
                .filter(MessageRow.Columns.state == OutboundState.retryScheduled.rawValue)
                .filter(MessageRow.Columns.nextAttemptAt <= now)
                .order(MessageRow.Columns.nextAttemptAt, MessageRow.Columns.id)
                .fetchAll(db)
                .map { try $0.outbound() }
        }
    }

    /// `awaiting_mdn` messages whose MDN deadline has passed by `now` (R-ASYNC-5), earliest first.
    public func expiredAsyncMDNWaits(now: Date) async throws -> [OutboundMessage] {
        try await read { db in
            try MessageRow
                .filter(MessageRow.Columns.direction == MessageDirection.outbound.rawValue)
                .filter(MessageRow.Columns.state == OutboundState.awaitingMDN.rawValue)
                .filter(MessageRow.Columns.mdnDeadline <= now)
                .order(MessageRow.Columns.mdnDeadline, MessageRow.Columns.id)
                .fetchAll(db)
                .map { try $0.outbound() }
        }
    }

    // MARK: - Helpers

    /// Loads outbound row `id`, checks its state is one of `allowed`, applies `change`, saves
    /// it and appends the event `change` returns.
    private func updateOutbound(
        _ id: Int64, _ operation: String, from allowed: Set<OutboundState>,
        _ change: @escaping @Sendable (inout MessageRow, Date) throws -> (EventKind, String?)
    ) async throws -> OutboundMessage {
        try await write { [clock] db in
            let now = clock()
            let old = try Self.fetchRow(db, id, .outbound)
            guard let state = OutboundState(rawValue: old.state), allowed.contains(state) else {
                throw JournalError.invalidTransition(operation, id: id, state: old.state)
            }
            var row = old
            let (kind, detail) = try change(&row, now)
            row.updatedAt = now
            try row.update(db, from: old)
            try Self.appendEvent(db, id, now: now, kind: kind, state: row.state, detail: detail)
            return try row.outbound()
        }
    }

    static func describe(_ micDigests: [String: String]) -> String {
        micDigests.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// Where the built body is kept, for the event log.
    static func describeBody(_ built: BuiltMessage) -> String {
        if let body = built.body { return "body in the journal (\(body.count) bytes)" }
        return "body \(built.bodyPath)"
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
