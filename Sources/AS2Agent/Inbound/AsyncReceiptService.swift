import AS2Bytes
import AS2Crypto
import AS2HTTP
import AS2Journal
import AS2Protocol
import Foundation
import Logging

/// Receives asynchronous MDNs that partners POST back for our outbound messages, matches them to
/// the message waiting for them, verifies them and finishes the message (requirements §1.7, §4.9).
public final class AsyncReceiptService: Sendable {
    let context: AgentContext
    let outbound: OutboundService

    public init(context: AgentContext, outbound: OutboundService) {
        self.context = context
        self.outbound = outbound
    }

    func receive(headers: [(String, String)], body: any ByteSource, snapshot: AgentSnapshot) async -> HTTPResponse {
        let log = context.logger
        // Find the message first: its partner's certificates verify the receipt.
        let probe: ParsedMDN
        do {
            probe = try MDNParser.parse(headers: headers, body: body, trusted: [])
        } catch {
            log.notice("POST to the MDN endpoint is not an MDN", metadata: ["error": "\(error)"])
            return .text(400, "not an MDN: \(error)\n")
        }
        guard let original = probe.report.originalMessageID else { return .text(400, "the MDN has no Original-Message-ID\n") }
        let key = MessageID.normalizedKey(original)
        let message: AS2Journal.OutboundMessage?
        do {
            message = try await context.journal.findOutboundAwaitingMDN(messageIDKey: key)
        } catch {
            return .text(503, "journal busy\n", headers: [("Retry-After", "30")])
        }
        guard let message else {
            // 200 stops the partner's retries; the log says it matched nothing (R-VAL-2).
            log.warning("async MDN for no outstanding message", metadata: ["as2.original_message_id": "\(original)"])
            return HTTPResponse(status: 200)
        }
        guard let partner = snapshot.partner(named: message.partner) else {
            log.warning("async MDN for a partner no longer configured", metadata: ["as2.partner": "\(message.partner)"])
            return HTTPResponse(status: 200)
        }
        do {
            let parsed = try MDNParser.parse(headers: headers, body: body, trusted: partner.verifyCertificates)
            let raw = try body.readAll(limit: 16 << 20)
            await outbound.receiptArrived(message, parsed: parsed, raw: raw, headers: headers, mode: .async, partner: partner, snapshot: snapshot)
        } catch {
            log.warning("async MDN could not be processed", metadata: ["as2.message_id": "\(message.messageID)", "error": "\(error)"])
            return .text(400, "invalid MDN: \(error)\n")
        }
        return HTTPResponse(status: 200)
    }
}
