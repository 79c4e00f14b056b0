import Foundation
import GRDB

/// Retention: history is kept `historyDays`, duplicate-detection keys at least `duplicateDays`.
extension Journal {
    /// Deletes finished messages (and their events) last changed more than `historyDays` before
    /// `now`. An inbound row, which holds a duplicate-detection key and the MDN to replay, is
    /// kept until it is also older than `duplicateDays` (requirements R-DUP-1), whichever is
    /// longer. Unfinished messages and async MDNs still pending are never deleted.
    @discardableResult
    public func prune(now: Date, historyDays: Int = 365, duplicateDays: Int = 30) async throws -> PruneResult {
        let day: TimeInterval = 86_400
        let historyCutoff = now.addingTimeInterval(-Double(max(0, historyDays)) * day)
        let duplicateCutoff = now.addingTimeInterval(-Double(max(0, duplicateDays)) * day)
        let finishedOutbound = OutboundState.allCases.filter(\.isFinal).map(\.rawValue)
        let finishedInbound = [InboundState.delivered, .rejected, .interrupted].map(\.rawValue)
        return try await write { db in
            let outbound =
                MessageRow.Columns.direction == MessageDirection.outbound.rawValue
                && finishedOutbound.contains(MessageRow.Columns.state)
            let inbound =
                MessageRow.Columns.direction == MessageDirection.inbound.rawValue
                && finishedInbound.contains(MessageRow.Columns.state)
                && MessageRow.Columns.updatedAt < duplicateCutoff
                && (MessageRow.Columns.mdnState == nil
                    || MessageRow.Columns.mdnState != AsyncMDNState.pending.rawValue)
            let expired = MessageRow.filter(MessageRow.Columns.updatedAt < historyCutoff).filter(outbound || inbound)
            let events =
                try EventRow
                .filter(expired.select(MessageRow.Columns.id).contains(EventRow.Columns.messageRowID))
                .fetchCount(db)
            // Events go with their message (ON DELETE CASCADE).
            let messages = try expired.deleteAll(db)
            return PruneResult(messages: messages, events: events)
        }
    }
}
