import AS2Bytes
import AS2Config
import AS2Crypto
import AS2HTTP
import AS2Journal
import AS2MIME
import AS2Protocol
import AS2Spool
import Foundation
import Logging

/// The AS2 endpoint (`/as2`, and `/as2/mdn` for receipts): decides early what to refuse (size,
/// authentication), then unpacks, delivers exactly once and answers with the receipt
/// (requirements §1.7, §4.5; DESIGN.md §5). Runs off the event loop (AS2HTTP calls it from a task).
public struct InboundService: HTTPRequestHandler {
    let context: AgentContext
    let asyncReceipts: AsyncReceiptService

    public init(context: AgentContext, asyncReceipts: AsyncReceiptService) {
        self.context = context
        self.asyncReceipts = asyncReceipts
    }

    var logger: Logger { context.logger }

    // MARK: Before the body

    public func decide(head: HTTPRequestHead) async -> HTTPBodyDecision {
        let snapshot = context.snapshot
        let http = snapshot.configuration.http
        guard head.path == http.path || head.path == http.mdnPath else { return .reject(.text(404, "not found\n")) }
        guard head.method == "POST" else {
            return .reject(.text(405, "AS2 messages are POSTed here\n", headers: [("Allow", "POST")]))
        }
        let partner = head.value(of: "AS2-From").flatMap { try? AS2Name(headerValue: $0) }.flatMap { snapshot.partner(as2ID: $0) }
        guard let partner else {
            // Unknown senders still get an answer (an unsigned error MDN), but no large body.
            return .accept(maxBodySize: 1 << 20)
        }
        if let required = partner.configuration.inbound.basicAuth {
            guard let header = head.value(of: "Authorization"), BasicAuth.matches(header, user: required.user, password: required.password.value) else {
                logger.warning("inbound request without valid basic auth", metadata: ["as2.partner": "\(partner.name)", "http.remote": "\(head.remoteAddress)"])
                return .reject(.text(401, "authentication required\n", headers: [("WWW-Authenticate", "Basic realm=\"as2-agent\"")], closeConnection: true))
            }
        }
        if let der = partner.inboundClientCertificateDER {
            guard head.isTLS, head.clientCertificateDER == der else {
                logger.warning("inbound request without the partner's TLS client certificate", metadata: ["as2.partner": "\(partner.name)", "http.remote": "\(head.remoteAddress)"])
                return .reject(.text(403, "client certificate required\n", closeConnection: true))
            }
        }
        let limit = Self.bodyLimit(forMessageSize: partner.configuration.inbound.maxMessageSize)
        if let length = head.value(of: "Content-Length").flatMap(Int.init), length > limit {
            return .reject(.text(413, "message larger than \(limit) bytes\n", closeConnection: true))
        }
        return .accept(maxBodySize: limit)
    }

    /// `max_message_size` is the largest document a partner may send; its request body may be
    /// larger by the MIME and CMS framing (headers, signature, padding, base64 of small parts):
    /// 1/16 of the limit plus 64 KiB. So a 1 GiB document passes the default 1 GiB limit.
    static func bodyLimit(forMessageSize limit: Int) -> Int {
        let (sum, overflow) = limit.addingReportingOverflow(limit / 16 + 65_536)
        return overflow ? Int.max : sum
    }

    // MARK: The message

    public func handle(head: HTTPRequestHead, body: any ByteSource) async -> HTTPResponse {
        let started = ContinuousClock.now
        let response = await process(head: head, body: body)
        context.metrics.observe("as2_inbound_processing_seconds", [:], (ContinuousClock.now - started).seconds)
        return response
    }

    func process(head: HTTPRequestHead, body: any ByteSource) async -> HTTPResponse {
        let request: InboundRequest
        do {
            request = try InboundRequest(headers: head.headers)
        } catch let error as InboundRequestError {
            logger.notice("refused request", metadata: ["http.status": "\(error.httpStatus)", "reason": "\(error.message)", "http.remote": "\(head.remoteAddress)"])
            return .text(error.httpStatus, error.message + "\n", closeConnection: true)
        } catch {
            return .text(400, "\(error)\n", closeConnection: true)
        }
        let snapshot = context.snapshot
        if head.path == snapshot.configuration.http.mdnPath || request.isMDN {
            return await asyncReceipts.receive(headers: head.headers, body: body, snapshot: snapshot)
        }
        var log = logger
        log[metadataKey: "as2.message_id"] = "\(request.messageID)"
        log[metadataKey: "as2.from"] = "\(request.as2From.value)"

        // §4.5 rows 2–4: who is it for, who is it from.
        guard request.as2To == snapshot.identity.as2ID else {
            log.warning("message for an AS2 id that is not ours", metadata: ["as2.to": "\(request.as2To.value)"])
            return unsignedError(request, .unknownTradingPartner, "AS2-To \(request.as2To.value) is not this agent", snapshot: snapshot, notFound: 404)
        }
        guard let partner = snapshot.partner(as2ID: request.as2From) else {
            log.warning("message from an unknown partner")
            return unsignedError(request, .unknownTradingPartner, "AS2-From \(request.as2From.value) is not a configured partner", snapshot: snapshot, notFound: 403)
        }
        log[metadataKey: "as2.partner"] = "\(partner.name)"
        if request.as2From == request.as2To {
            return unsignedFailure(request, "sender-equals-receiver", snapshot: snapshot)
        }
        if let failure = request.mdnRequest?.failure {
            log.notice("receipt request cannot be honoured", metadata: ["disposition": "\(failure.headerValue)"])
            return await respond(request, partner: partner, snapshot: snapshot, disposition: failure, mic: nil, reason: "the requested receipt options are not supported", claim: nil, log: log)
        }

        // Duplicates (requirements §5.2).
        let bodyDigest: String
        do {
            bodyDigest = try Hex.encode(Digest.compute(.sha256, over: body))
        } catch {
            log.error("cannot read the spooled body", metadata: ["error": "\(error)"])
            return temporaryFailure("cannot read the request body")
        }
        let begin: InboundBegin
        do {
            begin = try await context.journal.beginInbound(
                partner: partner.name, as2From: request.as2From.value, as2To: request.as2To.value,
                messageID: request.messageID, messageIDKey: request.messageIDKey, bodySHA256: bodyDigest
            )
        } catch {
            log.error("journal unavailable", metadata: ["error": "\(error)"])
            return temporaryFailure("journal busy")
        }
        let claim: InboundClaim
        switch begin {
        case let .new(newClaim):
            claim = newClaim
        case let .duplicateCompleted(previous):
            log.notice("duplicate of a completed message: replaying the original receipt")
            context.metrics.increment("as2_messages_total", ["partner": partner.name, "direction": "inbound", "outcome": "duplicate"])
            return await replay(previous, request: request, log: log)
        case .duplicateInProgress:
            log.notice("duplicate of a message still in progress")
            return temporaryFailure("the same message is still being processed")
        case .conflict:
            log.warning("Message-ID reused with different content")
            return await respond(request, partner: partner, snapshot: snapshot, disposition: DispositionError.unexpectedProcessingError.disposition, mic: nil, reason: "Message-ID reuse with different content", claim: nil, log: log)
        }

        // Unpack and check (requirements §2–3; decision table §4.5).
        let result = MessageUnpacker.unpack(
            request: request, body: body,
            security: InboundSecurity(decryptionIdentities: snapshot.identity.decryption, partnerCertificates: partner.verifyCertificates),
            policy: partner.inboundPolicy, workDirectory: context.directories.work
        )
        switch result {
        case let .rejected(rejection):
            log.warning("message refused", metadata: ["disposition": "\(rejection.disposition.headerValue)", "reason": "\(rejection.reason)"])
            context.metrics.increment("as2_messages_total", ["partner": partner.name, "direction": "inbound", "outcome": "rejected"])
            return await respond(request, partner: partner, snapshot: snapshot, disposition: rejection.disposition, mic: nil, reason: rejection.reason, claim: claim, log: log)
        case let .accepted(message):
            for note in message.notes { log.notice("\(note)") }
            return await deliver(message, request: request, partner: partner, snapshot: snapshot, claim: claim, log: log)
        }
    }

    // MARK: Delivery

    /// Writes the document and its sidecar into inbox/, commits the journal, then answers with the
    /// positive receipt — in that order, so a receipt never leaves for a document that is not on disk.
    func deliver(_ message: UnpackedMessage, request: InboundRequest, partner: PartnerRuntime, snapshot: AgentSnapshot, claim: InboundClaim, log: Logger) async -> HTTPResponse {
        let receivedAt = Date()
        let mdn: BuiltMDN?
        do {
            mdn = try buildMDN(request, snapshot: snapshot, disposition: .processed, mic: message.mic, reason: nil)
        } catch {
            log.error("cannot build the receipt", metadata: ["error": "\(error)"])
            context.journal.abandonInbound(claim)
            return .text(500, "cannot build the receipt\n")
        }
        let asyncURL = request.mdnRequest?.receiptDeliveryURL
        let asyncAllowed = asyncURL.map { partner.allowsAsyncMDN(to: $0) } ?? false
        if let asyncURL, !asyncAllowed {
            log.warning("SECURITY: refusing to send an async MDN to a URL not allowed for this partner", metadata: ["as2.mdn_url": "\(asyncURL)"])
        }
        do {
            let rules = snapshot.configuration.folders.ignoreRules
            let writer = InboxWriter(rules: rules)
            // Written unsynced, fsynced side by side, then moved into place with one folder fsync:
            // one disk job (and one resumption of this task) for the whole delivery.
            let (payloadSHA, document, evidence, origin) = try await DiskPipeline.run { [self] () -> DiskPipeline.Step<(String, AS2Spool.DeliveredDocument, [String], OriginEvidence?)> in
                let payloadSHA = try Hex.encode(Digest.compute(.sha256, over: message.payload))
                let filename = message.filename ?? SafeFilename.fromMessageID(request.messageID)
                let (evidence, origin) = try storeEvidence(message, bodySHA256: claim.bodySHA256, receivedAt: receivedAt)
                // A crash after the inbox write and before the journal commit: the resend finds it there.
                if let existing = writer.existingDelivery(partner.folders, filename: filename, messageID: request.messageID, sha256: payloadSHA) {
                    return .done((payloadSHA, existing, evidence, origin))
                }
                let sidecar = ReceivedSidecar.make(
                    message, request: request, partner: partner, filename: filename, sha256: payloadSHA, receivedAt: receivedAt,
                    mdn: mdn, asyncURL: asyncURL, asyncAllowed: asyncAllowed
                )
                let staged = try writer.stage(partner.folders, payload: message.payload, filename: filename, receipt: sidecar, rawMDN: mdn.map { Self.captured($0) })
                return .sync(
                    paths: staged.unsyncedPaths, finish: { (payloadSHA, try writer.place(staged), evidence, origin) },
                    discard: { staged.discard() })
            }
            let outgoing = mdn.map { m in
                OutgoingMDN(
                    raw: Data(m.body), headers: m.headers.map { HeaderField(name: $0.name, value: $0.value) },
                    delivery: asyncURL.map { .async(url: $0) } ?? .sync
                )
            }
            let stored = try await context.journal.completeInbound(
                claim,
                outcome: .delivered(AS2Journal.DeliveredDocument(paths: [document.path, document.sidecarPath] + (document.rawMDNPath.map { [$0] } ?? []), sha256: payloadSHA, size: Int64(message.payload.count))),
                mdn: outgoing, evidencePaths: evidence, origin: origin
            )
            if let asyncURL, !asyncAllowed {
                _ = try? await context.journal.markAsyncMDNFailed(stored.id, reason: "return URL \(asyncURL) is not allowed for this partner", attempted: false)
            }
            log.info("document received", metadata: ["as2.file": "\(document.path)", "as2.size": "\(message.payload.count)"])
            context.metrics.increment("as2_messages_total", ["partner": partner.name, "direction": "inbound", "outcome": "delivered"])
            context.metrics.increment("as2_bytes_total", ["partner": partner.name, "direction": "inbound"], by: Double(message.payload.count))
        } catch {
            // A failure on our side is never a final error MDN: the partner resends (§4.5, issue 4).
            log.error("cannot store the received document", metadata: ["error": "\(error)"])
            context.journal.abandonInbound(claim)
            return temporaryFailure("cannot store the document right now")
        }
        if asyncURL != nil {
            context.wakeups.signal()
            return HTTPResponse(status: 200)
        }
        guard let mdn else { return HTTPResponse(status: 200) }
        return HTTPResponse(status: 200, headers: mdn.headers.map { ($0.name, $0.value) }, body: MemoryByteSource(mdn.body))
    }

    /// Signed entities up to this size are kept in the journal row (no file, no extra fsync);
    /// larger ones are written to `state_dir/evidence/<day>/<body sha256>.signed-entity.mime`.
    static let journalEvidenceLimit = 1 << 20

    /// The evidence of origin — the signed entity as received and the signer's certificate — for
    /// the journal row, plus the path of the signed entity when it is too large for the journal.
    /// The file is named after the request body's digest (the row's `body_sha256`): the row does
    /// not exist yet, and the same body always carries the same signed entity.
    func storeEvidence(_ message: UnpackedMessage, bodySHA256: String, receivedAt: Date) throws -> ([String], OriginEvidence?) {
        guard let signed = message.signedEntity, let signer = message.signer else { return ([], nil) }
        var origin = OriginEvidence(signedEntity: nil, signerSHA256: signer.sha256Fingerprint, signerPEM: signer.pem, signerSubject: signer.subject)
        if signed.count <= Self.journalEvidenceLimit {
            origin.signedEntity = Data(try signed.readAll(limit: Self.journalEvidenceLimit))
            return ([], origin)
        }
        let day = Self.utcDay(receivedAt)
        let dir = context.directories.evidence + "/\(day)"
        try FileSystem.createDirectory(dir)
        let entity = dir + "/\(bodySHA256).signed-entity.mime"
        if try !Self.linkEvidence(signed, to: entity) { try AtomicFile.write(signed, to: entity) }
        return ([entity], origin)
    }

    /// A signed entity that is a whole spooled file (the decrypted content of a large message)
    /// gets the evidence name as a second link, fsynced with its folder, instead of a copy (a
    /// 1 GiB copy took ~2.5 s here). False when that is not possible (a slice, another
    /// filesystem): the caller copies. The name is the body's digest, so one already there holds
    /// the same bytes and stays.
    static func linkEvidence(_ signed: any ByteSource, to entity: String) throws -> Bool {
        guard let spooled = FileByteSource.spooledFile(signed) else { return false }
        do {
            guard try FileSystem.linkNoReplace(spooled, to: entity) else { return true }
        } catch let ByteError.io(_, _, code) where code == EXDEV {
            return false
        }
        _ = chmod(entity, 0o640)  // as AtomicFile writes evidence (the spool file is 0600)
        do {
            try FileSystem.syncFile(entity)
            try FileSystem.syncDirectory(FileSystem.parentPath(entity))
        } catch {
            try? FileSystem.remove(entity)  // not known to be on disk: the resend writes it again
            throw error
        }
        return true
    }

    /// `yyyy-mm-dd` in UTC.
    static func utcDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    // MARK: Receipts

    func buildMDN(_ request: InboundRequest, snapshot: AgentSnapshot, disposition: Disposition, mic: ReceivedContentMIC?, reason: String?, sign: Bool = true) throws -> BuiltMDN? {
        guard let mdnRequest = request.mdnRequest else { return nil }
        let digest = sign ? mdnRequest.signingDigest : nil
        return try MDNBuilder.build(
            report: MDNBuilder.report(for: request, disposition: disposition, mic: mic, reason: reason, reportingUA: "as2-agent/\(context.version)"),
            from: request.as2To, to: request.as2From,
            messageID: MessageID.generate(domain: Self.domain(snapshot.identity.as2ID)),
            signer: digest == nil ? nil : snapshot.identity.signing, digest: digest,
            userAgent: "as2-agent/\(context.version)"
        )
    }

    /// A refusal after unpacking or a receipt-option problem: the error receipt, journaled when a
    /// journal row exists (so a resend replays it), sync in the response or async via the dispatcher.
    func respond(_ request: InboundRequest, partner: PartnerRuntime, snapshot: AgentSnapshot, disposition: Disposition, mic: ReceivedContentMIC?, reason: String, claim: InboundClaim?, log: Logger) async -> HTTPResponse {
        let mdn: BuiltMDN?
        do {
            mdn = try buildMDN(request, snapshot: snapshot, disposition: disposition, mic: mic, reason: reason)
        } catch {
            log.error("cannot build the error receipt", metadata: ["error": "\(error)"])
            if let claim { context.journal.abandonInbound(claim) }
            return .text(500, "cannot build the receipt\n")
        }
        let asyncURL = request.mdnRequest?.receiptDeliveryURL
        let asyncAllowed = asyncURL.map { partner.allowsAsyncMDN(to: $0) } ?? false
        if let claim {
            let outgoing = mdn.map { m in
                OutgoingMDN(raw: Data(m.body), headers: m.headers.map { HeaderField(name: $0.name, value: $0.value) }, delivery: asyncURL.map { .async(url: $0) } ?? .sync)
            }
            // Journaled before answering, so a resend replays this receipt instead of racing it.
            let id: Int64
            do {
                id = try await context.journal.completeInbound(claim, outcome: .rejected(disposition: disposition.headerValue), mdn: outgoing).id
            } catch {
                log.error("journal unavailable", metadata: ["error": "\(error)"])
                return temporaryFailure("journal busy")
            }
            if let asyncURL, !asyncAllowed {
                log.warning("SECURITY: refusing to send an async MDN to a URL not allowed for this partner", metadata: ["as2.mdn_url": "\(asyncURL)"])
                _ = try? await context.journal.markAsyncMDNFailed(id, reason: "return URL \(asyncURL) is not allowed for this partner", attempted: false)
            }
            context.wakeups.signal()
        }
        guard let mdn else { return HTTPResponse(status: 200) }
        if asyncURL != nil {
            return HTTPResponse(status: 200)
        }
        return HTTPResponse(status: 200, headers: mdn.headers.map { ($0.name, $0.value) }, body: MemoryByteSource(mdn.body))
    }

    /// Unknown or foreign AS2 ids: we cannot tell which keys to use, so any receipt is unsigned
    /// (R-MDN-3) and only synchronous (an unknown partner's return URL is never trusted).
    func unsignedError(_ request: InboundRequest, _ error: DispositionError, _ reason: String, snapshot: AgentSnapshot, notFound status: Int) -> HTTPResponse {
        guard let mdnRequest = request.mdnRequest, !mdnRequest.isAsync,
            let mdn = try? buildMDN(request, snapshot: snapshot, disposition: error.disposition, mic: nil, reason: reason, sign: false)
        else { return .text(status, reason + "\n") }
        return HTTPResponse(status: 200, headers: mdn.headers.map { ($0.name, $0.value) }, body: MemoryByteSource(mdn.body))
    }

    func unsignedFailure(_ request: InboundRequest, _ failure: String, snapshot: AgentSnapshot) -> HTTPResponse {
        guard request.mdnRequest != nil, !(request.mdnRequest?.isAsync ?? false),
            let disposition = try? Disposition(parsing: "automatic-action/MDN-sent-automatically; failed/Failure: \(failure)"),
            let mdn = try? buildMDN(request, snapshot: snapshot, disposition: disposition, mic: nil, reason: failure, sign: false)
        else { return .text(403, failure + "\n") }
        return HTTPResponse(status: 200, headers: mdn.headers.map { ($0.name, $0.value) }, body: MemoryByteSource(mdn.body))
    }

    /// R-DUP-2: the same receipt bytes as the first time (sync), or the async one sent again.
    func replay(_ previous: InboundMessage, request: InboundRequest, log: Logger) async -> HTTPResponse {
        guard let mdn = previous.mdn else { return HTTPResponse(status: 200) }
        switch mdn.delivery {
        case .sync:
            return HTTPResponse(status: 200, headers: mdn.headers.map { ($0.name, $0.value) }, body: MemoryByteSource([UInt8](mdn.raw)))
        case .async:
            do {
                _ = try await context.journal.requeueAsyncMDN(previous.id)
                context.wakeups.signal()
            } catch {
                log.error("cannot requeue the async receipt", metadata: ["error": "\(error)"])
            }
            return HTTPResponse(status: 200)
        }
    }

    func temporaryFailure(_ reason: String) -> HTTPResponse {
        .text(503, reason + "\n", headers: [("Retry-After", "30")])
    }

    /// The captured form of a receipt (HTTP headers, empty line, body) — what `inspect` reads.
    static func captured(_ mdn: BuiltMDN) -> [UInt8] {
        var out = Array(mdn.headers.map { "\($0.name): \($0.value)\r\n" }.joined().utf8)
        out += Array("\r\n".utf8)
        out += mdn.body
        return out
    }

    static func domain(_ id: AS2Name) -> String {
        let cleaned = id.value.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "-" }
        return String(cleaned).isEmpty ? "as2-agent" : String(cleaned)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// HTTP basic authentication, compared in constant time.
enum BasicAuth {
    static func matches(_ header: String, user: String, password: String) -> Bool {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces))
        else { return false }
        let expected = Array("\(user):\(password)".utf8)
        let given = [UInt8](decoded)
        guard expected.count == given.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(expected, given) { diff |= a ^ b }
        return diff == 0
    }

    static func header(user: String, password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}
