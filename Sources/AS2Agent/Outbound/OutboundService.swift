import AS2Bytes
import AS2Config
import AS2Crypto
import AS2HTTP
import AS2Journal
import AS2Protocol
import AS2Spool
import Foundation
import Logging
import Synchronization

/// Sends claimed outbox files and finishes them when their receipt arrives (DESIGN.md §5):
/// claim → journal row → build (exact bytes kept) → POST → verified MDN → sent/ + sidecar → done.
/// Every step is journaled, so a crash anywhere resumes with the same Message-ID and bytes.
public final class OutboundService: Sendable {
    let context: AgentContext
    /// Files being worked on per partner (claim, build, send, finish): `pipelineLimit` of them.
    let limiter = ConcurrencyLimiter()
    /// HTTP exchanges in flight per partner: at most the partner's `send_concurrency`. Only the
    /// exchange holds this slot, so other files are claimed, built, checked and finished (and
    /// share journal commits and the disk's sync time) while the partner answers.
    let sending = ConcurrencyLimiter()
    /// Claimed files some task is working on. A claim is worked on by one task at a time, so the
    /// scheduler, crash recovery and orphan adoption never send the same file twice at once.
    private let busy = Mutex<Set<String>>([])
    /// fsyncs of the claims folder, outboxes and sent/ shared by the files in flight.

    public init(context: AgentContext) { self.context = context }

    /// Marks `claimedPath` as worked on; false when another task already is.
    func own(_ claimedPath: String) -> Bool { busy.withLock { $0.insert(claimedPath).inserted } }
    func release(_ claimedPath: String) { _ = busy.withLock { $0.remove(claimedPath) } }
    /// Whether a task is working on this claimed file now.
    public func isBusy(_ claimedPath: String) -> Bool { busy.withLock { $0.contains(claimedPath) } }

    var journal: Journal { context.journal }

    // MARK: New files

    /// A complete file appeared in `path` (an outbox): claim it and send it, within the
    /// partner's concurrency limit. Returns when it is finished or waiting for a retry/receipt.
    public func send(file path: String) async {
        let snapshot = context.snapshot
        guard let partner = snapshot.partner(owning: path) else {
            context.logger.warning("file outside every partner's outbox", metadata: ["as2.file": "\(path)"])
            return
        }
        let limit = Self.pipelineLimit(partner.configuration.sendConcurrency)
        context.metrics.add("as2_queue_depth", ["partner": partner.name], 1)
        await limiter.acquire(partner.name, limit: limit)
        defer {
            limiter.release(partner.name)
            context.metrics.add("as2_queue_depth", ["partner": partner.name], -1)
        }
        // Stopping (SIGTERM): a file not yet claimed stays in the outbox for the next start.
        guard !context.inFlight.isDraining else { return }
        let claim: Claim
        do {
            let folders = partner.folders
            guard let c = try await DiskIO.run({ try Claim.claim(file: path, folders: folders, syncingMove: false) }) else { return }  // taken or gone
            claim = c
        } catch {
            context.logger.error("cannot claim a file", metadata: ["as2.file": "\(path)", "error": "\(error)"])
            return
        }
        await start(claim, partner: partner, snapshot: snapshot, syncingMove: true)
    }

    /// Files of one partner worked on at once for `sendConcurrency` exchanges in flight: enough
    /// that each exchange slot has the next file built and waiting, few enough that a burst of
    /// files stays in the outbox (unclaimed) rather than in the claims folder.
    static func pipelineLimit(_ sendConcurrency: Int) -> Int { max(1, sendConcurrency) * 4 }

    /// A claimed file gets its Message-ID, is built, and is journaled as its first attempt starts
    /// (one durable transaction: the row, the built request and attempt 1), then sent. Until that
    /// commit nothing has left the machine, so a crash before it leaves a claim without a row,
    /// which `adoptOrphanClaims` sends afresh under a new Message-ID. `syncingMove`: the claim's
    /// move is not on disk yet; its folders are synced after the build in the same disk job, before the
    /// journal commit (the file must not be able to reappear in the outbox once it is journaled).
    func start(_ claim: Claim, partner: PartnerRuntime, snapshot: AgentSnapshot, syncingMove: Bool = false) async {
        // File work (renames, fsyncs, reading the payload) runs on the disk threads, never on the
        // cooperative pool (one thread per core: an fsync there stalls every other task).
        guard own(claim.path) else {
            if syncingMove { _ = try? await DiskIO.run { try claim.syncMove() } }
            return
        }
        defer { release(claim.path) }
        var log = context.logger
        log[metadataKey: "as2.partner"] = "\(partner.name)"
        log[metadataKey: "as2.file"] = "\(claim.subpath)"
        let bodyPath = self.bodyPath(for: claim)
        let payloadSize: Int
        let sha: String
        let building: Result<BuiltMessage, any Error>
        let moveSynced: Result<Void, any Error>
        let messageID = MessageID.generate(domain: InboundService.domain(snapshot.identity.as2ID))
        do {
            // The payload is opened once: hashed, then built from the same descriptor; then the
            // claim's move is synced in the same disk job (folder fsyncs shared with the other
            // claims made meanwhile, `FolderSyncs`).
            (payloadSize, sha, building, moveSynced) = try await DiskIO.run { [self] in
                let payload = try FileByteSource(path: claim.path)
                let sha = Hex.encode(try Digest.compute(.sha256, over: payload))
                let building = Result { try build(claim: claim, payload: payload, partner: partner, snapshot: snapshot, messageID: messageID, bodyPath: bodyPath) }
                let moveSynced = syncingMove ? Result { try claim.syncMove() } : .success(())
                return (payload.count, sha, building, moveSynced)
            }
        } catch {
            log.error("cannot start sending", metadata: ["error": "\(error)"])
            await failClaim(claim, partner: partner, messageID: nil, category: .configuration, reason: "could not start sending: \(error)", attempts: 0)
            return
        }
        if case let .failure(error) = moveSynced {
            // As when the claim itself fails: the claim stays, without a row, adopted at the next start.
            try? FileSystem.remove(bodyPath)
            log.error("cannot claim a file", metadata: ["error": "\(error)"])
            return
        }
        let built: BuiltMessage
        do {
            built = try building.get()
        } catch {
            try? FileSystem.remove(bodyPath)
            log.error("cannot build the message", metadata: ["as2.message_id": "\(messageID)", "error": "\(error)"])
            // Journaled as failed, as a message that could not be built always was.
            do {
                let row = try await createRow(claim, partner: partner, snapshot: snapshot, messageID: messageID, size: payloadSize, sha: sha)
                await fail(row, category: .configuration, reason: "the message could not be built: \(error)", mdn: nil)
            } catch {
                await failClaim(claim, partner: partner, messageID: messageID, category: .configuration, reason: "the message could not be built: \(error)", attempts: 0)
            }
            return
        }
        let row: AS2Journal.OutboundMessage
        do {
            row = try await journal.createOutboundSending(
                partner: partner.name, as2From: snapshot.identity.as2ID.value, as2To: partner.as2ID.value,
                messageID: messageID, messageIDKey: MessageID.normalizedKey(messageID),
                originalPath: claim.subpath, claimedPath: claim.path, payloadSize: Int64(payloadSize), payloadSHA256: sha, built: built
            )
        } catch {
            // Nothing was sent: the file goes to failed/, as when its row could not be created before.
            try? FileSystem.remove(bodyPath)
            log.error("cannot start sending", metadata: ["error": "\(error)"])
            await failClaim(claim, partner: partner, messageID: nil, category: .configuration, reason: "could not start sending: \(error)", attempts: 0)
            return
        }
        log.info("file claimed", metadata: ["as2.message_id": "\(messageID)", "as2.size": "\(payloadSize)"])
        await attempt(row, partner: partner, snapshot: snapshot, recorded: true)
    }

    /// A `queued` journal row for `claim` (nothing built yet).
    private func createRow(
        _ claim: Claim, partner: PartnerRuntime, snapshot: AgentSnapshot, messageID: String, size: Int, sha: String
    ) async throws -> AS2Journal.OutboundMessage {
        try await journal.createOutbound(
            partner: partner.name, as2From: snapshot.identity.as2ID.value, as2To: partner.as2ID.value,
            messageID: messageID, messageIDKey: MessageID.normalizedKey(messageID),
            originalPath: claim.subpath, claimedPath: claim.path, payloadSize: Int64(size), payloadSHA256: sha
        )
    }

    /// Where the request built for `claim` is kept (`state/outbound/claim-<id>.body`): named after
    /// the claim, so that it can be written before the journal row exists.
    func bodyPath(for claim: Claim) -> String { context.directories.outbound + "/claim-\(claim.id).body" }

    /// The stored request of `row` (rows journaled before bodies were named after claims use the row id).
    func bodyPath(of row: AS2Journal.OutboundMessage) -> String { row.built?.bodyPath ?? context.directories.outboundBody(id: row.id) }

    // MARK: Build and send

    func options(_ partner: PartnerRuntime, snapshot: AgentSnapshot, messageID: String, filename: String, date: Date) -> OutboundMessageOptions {
        let c = partner.configuration
        let http = snapshot.configuration.http
        var mdn: MDNRequest?
        switch c.outbound.mdn {
        case .none: mdn = nil
        case .sync: mdn = MDNRequest(signingDigest: c.outbound.mdnSigned ? c.outbound.mdnMICAlgorithm : nil)
        case .async: mdn = MDNRequest(signingDigest: c.outbound.mdnSigned ? c.outbound.mdnMICAlgorithm : nil, receiptDeliveryURL: http.asyncMDNReturnURL?.absoluteString)
        }
        return OutboundMessageOptions(
            as2From: snapshot.identity.as2ID, as2To: partner.as2ID, messageID: messageID, date: date,
            subject: c.outbound.subject, contentType: c.outbound.contentType,
            filename: c.outbound.filenameHeader ? filename : nil,
            payloadTransferEncoding: c.interop.payloadTransferEncoding,
            signature: c.outbound.sign, signatureScheme: c.outbound.signatureScheme,
            includeCertificates: c.interop.includeCertificateInSignature,
            encryption: c.outbound.encrypt, keyTransport: c.outbound.keyTransport,
            compression: c.outbound.compress, mdn: mdn, legacyMicalgNames: c.interop.legacyMICAlgorithmNames,
            recipientAddress: c.url.absoluteString, userAgent: "as2-agent/\(context.version)"
        )
    }

    /// Payloads up to this size have their built body kept in the journal row instead of a file.
    static let journaledBodyLimit = 64 << 10

    /// Builds the request for `claim`. A small payload's body is returned in memory, to be kept in
    /// the journal row (durable with it, no body file); a larger one is written to `bodyPath` and
    /// fsynced.
    func build(claim: Claim, partner: PartnerRuntime, snapshot: AgentSnapshot, messageID: String, bodyPath: String) throws -> BuiltMessage {
        try build(claim: claim, payload: try FileByteSource(path: claim.path), partner: partner, snapshot: snapshot, messageID: messageID, bodyPath: bodyPath)
    }

    /// `build(claim:…)` from the claimed file already opened as `payload`.
    func build(
        claim: Claim, payload: FileByteSource, partner: PartnerRuntime, snapshot: AgentSnapshot, messageID: String, bodyPath: String
    ) throws -> BuiltMessage {
        let small = payload.count <= Self.journaledBodyLimit
        let prepared = try MessageBuilder.build(
            payload: payload,
            options: options(partner, snapshot: snapshot, messageID: messageID, filename: claim.originalName, date: Date()),
            signer: snapshot.identity.signing,
            recipients: partner.encryptionCertificate.map { [$0] } ?? [],
            workDirectory: context.directories.work,
            bodyPath: small ? nil : bodyPath
        )
        var body: [UInt8]?
        if small {
            // Signing and encrypting add a few KiB; a body that grew past twice the limit anyway
            // goes to its file like a large one.
            if prepared.body.count <= 2 * Self.journaledBodyLimit {
                body = try prepared.body.readAll()
            } else {
                try AtomicFile.write(prepared.body, to: bodyPath, sync: true)
            }
        }
        var digests: [String: String] = [:]
        for mic in prepared.expectedMICs {
            let key = mic.variant == prepared.primaryMIC?.variant ? mic.algorithm.rawValue : "\(mic.algorithm.rawValue)|\(mic.variant)"
            if digests[key] == nil { digests[key] = mic.base64 }
        }
        return BuiltMessage(
            bodyPath: bodyPath,
            body: body,
            headers: prepared.headers.map { HeaderField(name: $0.name, value: $0.value) },
            micDigests: digests,
            dateHeader: prepared.headers.first { $0.name == "Date" }?.value ?? ""
        )
    }

    /// The stored request body: from the journal row, or from its file.
    static func requestBody(_ built: BuiltMessage) throws -> any ByteSource {
        if let body = built.body { return MemoryByteSource(body) }
        return try FileByteSource(path: built.bodyPath)
    }

    func buildAndSend(_ row: AS2Journal.OutboundMessage, claim: Claim, partner: PartnerRuntime, snapshot: AgentSnapshot) async {
        do {
            let built = try build(claim: claim, partner: partner, snapshot: snapshot, messageID: row.messageID, bodyPath: bodyPath(of: row))
            let updated = try await journal.recordBuilt(row.id, built)
            await attempt(updated, partner: partner, snapshot: snapshot)
        } catch {
            context.logger.error("cannot build the message", metadata: ["as2.message_id": "\(row.messageID)", "error": "\(error)"])
            await fail(row, category: .configuration, reason: "the message could not be built: \(error)", mdn: nil)
        }
    }

    /// One POST of the exact stored bytes, and what its answer means (requirements §1.7, R-ST-1/2).
    /// `recorded`: the journal already counts this attempt (`createOutboundSending`).
    func attempt(_ row: AS2Journal.OutboundMessage, partner: PartnerRuntime, snapshot: AgentSnapshot, recorded: Bool = false) async {
        var log = context.logger
        log[metadataKey: "as2.message_id"] = "\(row.messageID)"
        log[metadataKey: "as2.partner"] = "\(partner.name)"
        guard let built = row.built else { return }
        let c = partner.configuration
        let current: AS2Journal.OutboundMessage
        if recorded {
            current = row
        } else {
            do {
                current = try await journal.recordAttempt(row.id)
            } catch {
                log.error("journal unavailable", metadata: ["error": "\(error)"])
                return
            }
        }
        if current.attempts > 1 { context.metrics.increment("as2_retries_total", ["partner": partner.name]) }
        let response: HTTPClientResponse
        do {
            var request = HTTPClientRequest(
                url: c.url.absoluteString, headers: built.headers.map { ($0.name, $0.value) },
                body: try Self.requestBody(built), useChunkedEncoding: c.interop.chunked, tls: partner.tls,
                basicAuth: c.transport.basicAuth.map { ($0.user, $0.password.value) }, proxy: c.transport.proxy?.absoluteString,
                connectTimeout: c.transport.connectTimeout, readTimeout: c.transport.readTimeout,
                responseSpoolDirectory: context.directories.work
            )
            request.maxResponseBodySize = 16 << 20
            log.debug("sending", metadata: ["attempt": "\(current.attempts)"])
            await sending.acquire(partner.name, limit: c.sendConcurrency)
            defer { sending.release(partner.name) }
            response = try await context.client.execute(request)
        } catch let error as HTTPClientError {
            log.warning("send failed", metadata: ["error": "\(error)", "transient": "\(error.isTransient)"])
            // A garbled or cut response (the partner crashed while answering) is retried too: the
            // resend carries the same Message-ID, so the partner delivers the document once.
            if error.isTransient || error.code == .invalidResponse {
                await retryOrFail(current, partner: partner, reason: "could not deliver: \(error.message)")
            } else {
                await fail(current, category: .rejected, reason: "could not deliver: \(error.message)", mdn: nil)
            }
            return
        } catch {
            await retryOrFail(current, partner: partner, reason: "could not deliver: \(error)")
            return
        }
        switch response.status {
        case 200, 201, 202, 204, 206:
            switch c.outbound.mdn {
            case .none:
                await finishDelivered(current, partner: partner, evidence: nil, rawMDN: nil, warning: nil, httpStatus: response.status)
            case .async:
                let deadline = Date().addingTimeInterval(c.retry.asyncMDNTimeout.seconds)
                _ = try? await journal.markAwaitingAsyncMDN(current.id, deadline: deadline)
                context.wakeups.signal()
                log.info("sent; waiting for the asynchronous receipt", metadata: ["deadline": "\(deadline)"])
            case .sync:
                do {
                    let parsed = try MDNParser.parse(headers: response.headers, body: response.body, trusted: partner.verifyCertificates)
                    let raw = try response.body.readAll(limit: 16 << 20)
                    await receiptArrived(current, parsed: parsed, raw: raw, headers: response.headers, mode: .sync, partner: partner, snapshot: snapshot)
                } catch {
                    log.warning("no valid receipt in the response", metadata: ["error": "\(error)", "http.status": "\(response.status)"])
                    await retryOrFail(current, partner: partner, reason: "the partner's response is not a valid receipt (\(error))")
                }
            }
        case 408, 429, 500, 502, 503, 504:
            log.warning("partner answered with a temporary failure", metadata: ["http.status": "\(response.status)"])
            await retryOrFail(current, partner: partner, reason: "the partner answered HTTP \(response.status)", httpStatus: response.status)
        default:
            log.error("partner refused the message", metadata: ["http.status": "\(response.status)"])
            await fail(current, category: .rejected, reason: "the partner answered HTTP \(response.status)", mdn: nil, httpStatus: response.status)
        }
    }

    // MARK: Receipts

    /// A receipt for `row` arrived (sync response or async POST): verify and finish (R-VAL-*).
    func receiptArrived(
        _ row: AS2Journal.OutboundMessage, parsed: ParsedMDN, raw: [UInt8], headers: [(String, String)],
        mode: AS2Journal.MDNMode, partner: PartnerRuntime, snapshot: AgentSnapshot
    ) async {
        let c = partner.configuration
        let expectation = MDNExpectation(
            messageID: row.messageID, ourID: snapshot.identity.as2ID, partnerID: partner.as2ID,
            expectedMICs: Self.expectedMICs(row.built?.micDigests ?? [:]),
            signedReceiptRequested: c.outbound.mdnSigned, requireSignedReceipt: c.inbound.requireSignedMDN
        )
        let evaluation = MDNEvaluator.evaluate(parsed, expecting: expectation)
        var log = context.logger
        log[metadataKey: "as2.message_id"] = "\(row.messageID)"
        for note in evaluation.notes { log.notice("\(note)") }
        let captured = Array(headers.map { "\($0.0): \($0.1)\r\n" }.joined().utf8) + Array("\r\n".utf8) + raw
        let evidence = MDNEvidence(
            raw: Data(captured), headers: headers.map { HeaderField(name: $0.0, value: $0.1) }, mode: mode,
            disposition: parsed.report.disposition?.headerValue ?? parsed.report.dispositionText ?? "",
            signed: parsed.isSigned, signatureVerified: evaluation.signatureVerified, micMatched: evaluation.micMatched,
            signerCertificateSHA256: { if case let .valid(cert, _, _) = parsed.signature { return cert.sha256Fingerprint } else { return nil } }(),
            receivedAt: Date()
        )
        switch evaluation.verdict {
        case .delivered:
            await finishDelivered(row, partner: partner, evidence: evidence, rawMDN: captured, warning: nil, parsed: parsed, evaluation: evaluation)
        case let .deliveredWithWarning(warning):
            await finishDelivered(row, partner: partner, evidence: evidence, rawMDN: captured, warning: warning, parsed: parsed, evaluation: evaluation)
        case let .failed(category, reason):
            log.error("receipt says the message failed", metadata: ["reason": "\(reason)"])
            await fail(row, category: ErrorSidecar.Category(rawValue: category), reason: reason, mdn: evidence, rawMDN: captured, disposition: evidence.disposition)
        case let .invalid(reason):
            log.warning("receipt rejected", metadata: ["reason": "\(reason)"])
            if mode == .sync {
                await retryOrFail(row, partner: partner, reason: "the partner's receipt was rejected: \(reason)")
            }
        }
    }

    static func expectedMICs(_ digests: [String: String]) -> [ExpectedMIC] {
        var primary: [ExpectedMIC] = []
        var others: [ExpectedMIC] = []
        for (key, value) in digests.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            guard let algorithm = DigestAlgorithm(rawValue: parts[0]), let digest = Data(base64Encoded: value) else { continue }
            let mic = ExpectedMIC(algorithm: algorithm, digest: [UInt8](digest), variant: parts.count > 1 ? parts[1] : "primary")
            if parts.count > 1 { others.append(mic) } else { primary.append(mic) }
        }
        return primary + others
    }

    // MARK: Outcomes

    func retryOrFail(_ row: AS2Journal.OutboundMessage, partner: PartnerRuntime, reason: String, httpStatus: Int? = nil) async {
        let retry = partner.configuration.retry
        if row.attempts > retry.count {
            await fail(row, category: .retriesExhausted, reason: "\(reason); gave up after \(row.attempts) attempts", mdn: nil, httpStatus: httpStatus)
            return
        }
        let at = Date().addingTimeInterval(retry.delay(beforeResend: row.attempts).seconds)
        do {
            _ = try await journal.scheduleRetry(row.id, at: at, reason: reason)
            context.logger.notice("retry scheduled", metadata: ["as2.message_id": "\(row.messageID)", "at": "\(at)", "reason": "\(reason)"])
            context.wakeups.signal()
        } catch {
            context.logger.error("cannot schedule a retry", metadata: ["as2.message_id": "\(row.messageID)", "error": "\(error)"])
        }
    }

    func finishDelivered(
        _ row: AS2Journal.OutboundMessage, partner: PartnerRuntime, evidence: MDNEvidence?, rawMDN: [UInt8]?, warning: String?,
        parsed: ParsedMDN? = nil, evaluation: MDNEvaluation? = nil, httpStatus: Int? = nil
    ) async {
        guard let claim = findClaim(row, partner: partner) else {
            await reconcileMissingClaim(row, partner: partner)
            return
        }
        let c = partner.configuration
        let now = Date()
        let (type, modifier) = dispositionParts(parsed?.report.disposition)
        let mic = Self.expectedMICs(row.built?.micDigests ?? [:]).first
        let matched = evaluation?.matchedMIC ?? mic
        let sidecar = ReceiptSidecar(
            messageId: row.messageID, direction: .sent, partner: partner.name,
            as2From: row.as2From, as2To: row.as2To,
            file: SidecarFile(name: claim.originalName, originalName: claim.originalName, size: Int(row.payloadSize), sha256: row.payloadSHA256),
            timestamps: .init(queued: row.createdAt, sent: row.updatedAt, receipt: evidence?.receivedAt),
            security: sidecarSecurity(layers(for: c)),
            mic: matched.map { .init(algorithm: $0.algorithm.micalgName, digest: $0.base64) },
            mdn: .init(
                mode: evidence == nil ? .none : (evidence?.mode == .async ? .async : .sync),
                requestedSigned: c.outbound.mdn != .none && c.outbound.mdnSigned,
                signed: evidence?.signed, signatureVerified: evidence?.signatureVerified,
                disposition: evidence?.disposition, dispositionType: type, modifier: modifier,
                micMatched: evidence?.micMatched, messageId: parsed?.messageID
            ),
            attempts: row.attempts, httpStatus: httpStatus
        )
        do {
            // Sidecars written unsynced, fsynced side by side, placed with the document, then the
            // fsync of sent/ (shared with the other files finishing now, `FolderSyncs`), before
            // the journal update: one disk job and one resumption of this task.
            let document = try await DiskPipeline.run { () -> DiskPipeline.Step<AS2Spool.DeliveredDocument> in
                let staged = try claim.stage(.receipt(sidecar, rawMDN: rawMDN))
                return .sync(paths: staged.unsyncedPaths, finish: { try claim.place(staged) }, discard: { staged.discard() })
            }
            _ = try await journal.markDelivered(row.id, mdn: evidence, warning: warning, resultPaths: [document.path, document.sidecarPath] + (document.rawMDNPath.map { [$0] } ?? []))
            if row.built?.body == nil { try? FileSystem.remove(bodyPath(of: row)) }
            context.logger.info("delivered", metadata: ["as2.message_id": "\(row.messageID)", "as2.partner": "\(partner.name)", "as2.file": "\(document.path)"])
            context.metrics.increment("as2_messages_total", ["partner": partner.name, "direction": "outbound", "outcome": warning == nil ? "delivered" : "delivered_with_warning"])
            context.metrics.increment("as2_bytes_total", ["partner": partner.name, "direction": "outbound"], by: Double(row.payloadSize))
            context.metrics.observe("as2_outbound_latency_seconds", ["partner": partner.name], now.timeIntervalSince(row.createdAt))
        } catch {
            context.logger.error("cannot finish a delivered message", metadata: ["as2.message_id": "\(row.messageID)", "error": "\(error)"])
        }
    }

    func fail(
        _ row: AS2Journal.OutboundMessage, category: ErrorSidecar.Category, reason: String, mdn: MDNEvidence?,
        rawMDN: [UInt8]? = nil, disposition: String? = nil, httpStatus: Int? = nil
    ) async {
        let snapshot = context.snapshot
        guard let partner = snapshot.partner(named: row.partner), let claim = findClaim(row, partner: partner) else {
            _ = try? await journal.markFailed(row.id, reason: reason, mdn: mdn)
            return
        }
        let document = await failClaim(claim, partner: partner, messageID: row.messageID, category: category, reason: reason, attempts: row.attempts, httpStatus: httpStatus, disposition: disposition)
        let paths = document.map { [$0.path, $0.sidecarPath] } ?? []
        _ = try? await journal.markFailed(row.id, reason: reason, mdn: mdn, resultPaths: paths)
        if row.built?.body == nil { try? FileSystem.remove(bodyPath(of: row)) }
        context.metrics.increment("as2_messages_total", ["partner": partner.name, "direction": "outbound", "outcome": "failed"])
    }

    /// Moves the claimed file to failed/ with its error sidecar; nil when that failed (logged).
    @discardableResult
    func failClaim(_ claim: Claim, partner: PartnerRuntime, messageID: String?, category: ErrorSidecar.Category, reason: String, attempts: Int, httpStatus: Int? = nil, disposition: String? = nil) async -> AS2Spool.DeliveredDocument? {
        let partnerName = partner.name
        do {
            let document = try await DiskIO.run {
                let size = (try? FileSystem.fileSize(claim.path)) ?? 0
                let sha = (try? FileByteSource(path: claim.path)).flatMap { try? Hex.encode(Digest.compute(.sha256, over: $0)) } ?? ""
                let sidecar = ErrorSidecar(
                    messageId: messageID, partner: partnerName,
                    file: SidecarFile(name: claim.originalName, originalName: claim.originalName, size: size, sha256: sha),
                    failedAt: Date(), reason: reason, category: category, attempts: attempts,
                    lastHttpStatus: httpStatus, mdnDisposition: disposition, details: nil
                )
                return try claim.finishFailed(error: sidecar)
            }
            context.logger.error("moved to failed/", metadata: ["as2.partner": "\(partner.name)", "as2.file": "\(document.path)", "reason": "\(reason)"])
            return document
        } catch {
            context.logger.critical("cannot move a failed file to failed/", metadata: ["as2.file": "\(claim.path)", "error": "\(error)"])
            return nil
        }
    }

    func layers(for c: PartnerConfiguration) -> [MessageLayer] {
        var layers: [MessageLayer] = []
        if let e = c.outbound.encrypt { layers.append(.encrypted(algorithm: e, keyTransport: c.outbound.keyTransport, recipientFingerprint: nil)) }
        if c.outbound.compress == .afterSigning, c.outbound.sign != nil { layers.append(.compressed) }
        if let s = c.outbound.sign { layers.append(.signed(digest: s, scheme: c.outbound.signatureScheme, signerFingerprint: context.snapshot.identity.signing.certificate.sha256Fingerprint)) }
        if c.outbound.compress == .beforeSigning || (c.outbound.compress == .afterSigning && c.outbound.sign == nil) { layers.append(.compressed) }
        return layers
    }

    // MARK: Recovery

    /// The claim of `row`, loaded from its claimed path (`Claim.path`). Listing the claims here
    /// instead would tidy up claims other tasks are making at this moment.
    func findClaim(_ row: AS2Journal.OutboundMessage, partner: PartnerRuntime) -> Claim? {
        (try? Claim.load(claimedPath: row.claimedPath, folders: partner.folders)) ?? nil
    }

    /// The claim of a non-final row is gone: a crash between moving the file out and the journal
    /// update. The sidecar in sent/ or failed/ tells which.
    func reconcileMissingClaim(_ row: AS2Journal.OutboundMessage, partner: PartnerRuntime) async {
        let folders = partner.folders
        let finished = try? await DiskIO.run { () -> AS2Spool.DeliveredDocument? in
            // A folder claim's finish moved the document and stopped before tidying up: it says where it went.
            if let claim = (try? Claim.load(claimedPath: row.claimedPath, folders: folders)) ?? nil, !FileSystem.exists(claim.path),
                let document = try? claim.finishSent(sidecar: Data(), rawMDN: nil)
            {
                return document
            }
            // A flat claim's finish moved the document before the journal recorded it.
            return Claim.finishedDocument(claimedPath: row.claimedPath, messageID: row.messageID, folders: folders)
        }
        if let document = finished ?? nil {
            let paths = [document.path, document.sidecarPath] + (document.rawMDNPath.map { [$0] } ?? [])
            if document.destination == .sent {
                _ = try? await journal.markDelivered(row.id, mdn: nil, warning: nil, resultPaths: paths)
            } else {
                _ = try? await journal.markFailed(row.id, reason: "failed before a restart", mdn: nil, resultPaths: paths)
            }
            return
        }
        let sentSidecar = partner.folders.sent + "/" + row.originalPath + ".mdn.json"
        if FileSystem.exists(sentSidecar) {
            _ = try? await journal.markDelivered(row.id, mdn: nil, warning: nil, resultPaths: [partner.folders.sent + "/" + row.originalPath, sentSidecar])
        } else {
            _ = try? await journal.markFailed(row.id, reason: "the claimed file disappeared", mdn: nil)
        }
    }

    /// Picks up where a crash left a message (DESIGN.md §5): unbuilt rows are built, in-flight ones
    /// resent with the same bytes, due retries attempted.
    public func resume(_ row: AS2Journal.OutboundMessage) async {
        guard own(row.claimedPath) else { return }
        defer { release(row.claimedPath) }
        let snapshot = context.snapshot
        guard let partner = snapshot.partner(named: row.partner) else {
            _ = try? await journal.markFailed(row.id, reason: "partner \(row.partner) is no longer configured", mdn: nil)
            return
        }
        await limiter.acquire(partner.name, limit: Self.pipelineLimit(partner.configuration.sendConcurrency))
        defer { limiter.release(partner.name) }
        // The journal row may have moved on while this task waited (another task finished it).
        guard let current = try? await journal.findOutbound(claimedPath: row.claimedPath), current.id == row.id,
            [.queued, .sending, .retryScheduled].contains(current.state)
        else { return }
        let row = current
        guard let claim = findClaim(row, partner: partner), FileSystem.exists(claim.path) else {
            await reconcileMissingClaim(row, partner: partner)
            return
        }
        guard let built = row.built, built.body != nil || FileSystem.exists(bodyPath(of: row)) else {
            await buildAndSend(row, claim: claim, partner: partner, snapshot: snapshot)
            return
        }
        if partner.configuration.interop.resendNewMessageID, row.attempts > 0 {
            // Interop switch (R-RS-3): a fresh Message-ID and signature; the payload MIC is unchanged.
            let messageID = MessageID.generate(domain: InboundService.domain(snapshot.identity.as2ID))
            do {
                let built = try build(claim: claim, partner: partner, snapshot: snapshot, messageID: messageID, bodyPath: bodyPath(of: row))
                let updated = try await journal.recordResendWithNewMessageID(row.id, messageID: messageID, messageIDKey: MessageID.normalizedKey(messageID), built: built)
                await attempt(updated, partner: partner, snapshot: snapshot)
            } catch {
                await fail(row, category: .configuration, reason: "the message could not be rebuilt: \(error)", mdn: nil)
            }
            return
        }
        await attempt(row, partner: partner, snapshot: snapshot)
    }

    /// A claimed file with no journal row (a crash right after the claim): start it now.
    public func adoptOrphanClaims() async {
        let snapshot = context.snapshot
        for partner in snapshot.partners {
            // The default staleness keeps claims that other tasks are making right now.
            guard let claims = try? Claim.list(folders: partner.folders) else { continue }
            for claim in claims where !isBusy(claim.path) {
                if (try? await journal.findOutbound(claimedPath: claim.path)) ?? nil != nil { continue }
                context.logger.notice("adopting a claimed file without a journal row", metadata: ["as2.file": "\(claim.path)"])
                // Its move may not have reached the disk before the crash: synced before it is sent.
                await start(claim, partner: partner, snapshot: snapshot, syncingMove: true)
            }
        }
    }

    /// An async receipt that never came (R-ASYNC-5): resend, or fail when retries are exhausted.
    public func asyncReceiptTimedOut(_ row: AS2Journal.OutboundMessage) async {
        guard let partner = context.snapshot.partner(named: row.partner) else { return }
        if row.attempts > partner.configuration.retry.count {
            await fail(row, category: .asyncMDNTimeout, reason: "no asynchronous receipt arrived within \(partner.configuration.retry.asyncMDNTimeout)", mdn: nil)
        } else {
            await retryOrFail(row, partner: partner, reason: "no asynchronous receipt arrived in time")
        }
    }
}
