import AS2Bytes
import AS2HTTP
import AS2Journal
import AS2Spool
import Foundation

/// POSTs the asynchronous MDNs we owe partners, with retries and backoff until delivered or
/// failed (R-ASYNC-2), and keeps the inbox sidecar's delivery status current.
public final class AsyncMDNDispatcher: Sendable {
    let context: AgentContext
    static let maxAttempts = 10

    public init(context: AgentContext) { self.context = context }

    /// Sends every MDN that is due now.
    public func dispatchDue() async {
        guard let due = try? await context.journal.asyncMDNsDue(now: Date()) else { return }
        await withTaskGroup(of: Void.self) { group in
            for message in due { group.addTask { await self.dispatch(message) } }
        }
    }

    func dispatch(_ message: InboundMessage) async {
        guard let mdn = message.mdn, case let .async(url) = mdn.delivery else { return }
        var log = context.logger
        log[metadataKey: "as2.message_id"] = "\(message.messageID)"
        log[metadataKey: "as2.partner"] = "\(message.partner)"
        let snapshot = context.snapshot
        guard let partner = snapshot.partner(named: message.partner), partner.allowsAsyncMDN(to: url) else {
            log.warning("SECURITY: async MDN URL not allowed for this partner; not sending", metadata: ["as2.mdn_url": "\(url)"])
            _ = try? await context.journal.markAsyncMDNFailed(message.id, reason: "return URL not allowed for this partner", attempted: false)
            await updateSidecar(message, status: .failed, attempts: 0, error: "return URL not allowed", url: url)
            return
        }
        let attempts = (message.asyncMDN?.attempts ?? 0) + 1
        let c = partner.configuration
        do {
            let request = HTTPClientRequest(
                url: url, headers: mdn.headers.map { ($0.name, $0.value) }, body: MemoryByteSource([UInt8](mdn.raw)),
                tls: partner.tls, basicAuth: c.transport.basicAuth.map { ($0.user, $0.password.value) },
                proxy: c.transport.proxy?.absoluteString, connectTimeout: c.transport.connectTimeout,
                readTimeout: c.transport.readTimeout, responseSpoolDirectory: context.directories.work
            )
            let response = try await context.client.execute(request)
            guard (200..<300).contains(response.status) else {
                throw AgentError(code: .protocolViolation, message: "HTTP \(response.status)")
            }
            _ = try await context.journal.markAsyncMDNSent(message.id)
            log.info("async MDN delivered", metadata: ["as2.mdn_url": "\(url)"])
            context.metrics.increment("as2_async_mdn_total", ["partner": partner.name, "outcome": "delivered"])
            await updateSidecar(message, status: .delivered, attempts: attempts, error: nil, url: url)
        } catch {
            let reason = "\(error)"
            if attempts >= Self.maxAttempts {
                _ = try? await context.journal.markAsyncMDNFailed(message.id, reason: reason)
                log.error("async MDN could not be delivered; giving up", metadata: ["error": "\(reason)", "attempts": "\(attempts)"])
                context.metrics.increment("as2_async_mdn_total", ["partner": partner.name, "outcome": "failed"])
                await updateSidecar(message, status: .failed, attempts: attempts, error: reason, url: url)
            } else {
                let delay = c.retry.delay(beforeResend: attempts).seconds
                _ = try? await context.journal.scheduleAsyncMDNRetry(message.id, at: Date().addingTimeInterval(delay), reason: reason)
                log.warning("async MDN delivery failed; will retry", metadata: ["error": "\(reason)", "in_seconds": "\(Int(delay))"])
                await updateSidecar(message, status: .pending, attempts: attempts, error: reason, url: url)
            }
        }
    }

    /// Rewrites the inbox sidecar (atomically) with the receipt's delivery status.
    func updateSidecar(_ message: InboundMessage, status: ReceiptSidecar.MDN.Delivery.Status, attempts: Int, error: String?, url: String) async {
        guard let path = message.document?.paths.first(where: { $0.hasSuffix(".mdn.json") }),
            let data = FileManager.default.contents(atPath: path),
            var sidecar = try? ReceiptSidecar.decode(from: data)
        else { return }
        sidecar.mdn.delivery = .init(status: status, attempts: attempts, lastError: error, url: url)
        try? InboxWriter(rules: context.snapshot.configuration.folders.ignoreRules).rewriteSidecar(path: path, sidecar: sidecar.encoded())
    }
}
