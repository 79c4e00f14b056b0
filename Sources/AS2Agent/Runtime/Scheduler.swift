import AS2Journal
import Foundation

/// The one loop that acts on time: due retries, async-receipt timeouts, async MDNs to send, and
/// journal retention. Sleeps until the journal's next due date or a wake-up, never polls folders.
public final class Scheduler: Sendable {
    let context: AgentContext
    let outbound: OutboundService
    let dispatcher: AsyncMDNDispatcher

    public init(context: AgentContext, outbound: OutboundService, dispatcher: AsyncMDNDispatcher) {
        self.context = context
        self.outbound = outbound
        self.dispatcher = dispatcher
    }

    public func run() async {
        var lastPrune = Date.distantPast
        while !Task.isCancelled {
            let now = Date()
            // Due rows stay due until their task records the attempt (it may wait for a send
            // slot): those already being worked on are left alone, and the loop naps meanwhile.
            var waitingForSlots = false
            if let retries = try? await context.journal.dueRetries(now: now) {
                for row in retries {
                    if outbound.isBusy(row.claimedPath) {
                        waitingForSlots = true
                        continue
                    }
                    context.inFlight.start { [outbound] in await outbound.resume(row) }
                }
            }
            if let expired = try? await context.journal.expiredAsyncMDNWaits(now: now) {
                for row in expired { context.inFlight.start { [outbound] in await outbound.asyncReceiptTimedOut(row) } }
            }
            await dispatcher.dispatchDue()
            if now.timeIntervalSince(lastPrune) > 3600 {
                let settings = context.snapshot.configuration.journal
                _ = try? await context.journal.prune(now: now, historyDays: settings.historyDays, duplicateDays: settings.duplicateDays)
                lastPrune = now
            }
            var sleep = 60.0
            if let next = try? await context.journal.nextDueDate() { sleep = min(sleep, max(waitingForSlots ? 0.5 : 0.05, next.timeIntervalSinceNow)) }
            await context.wakeups.wait(timeout: .milliseconds(Int64(sleep * 1000)))
        }
    }
}
