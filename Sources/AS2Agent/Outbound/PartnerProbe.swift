import AS2Bytes
import AS2Config
import AS2HTTP
import AS2Protocol
import Foundation
import Logging

/// `as2-agent partner test`: reachability, TLS, and a signed test message whose receipt is
/// verified — without touching the folders or the journal.
public struct PartnerProbe: Sendable {
    public struct Report: Codable, Sendable {
        public var partner: String
        public var url: String
        public var messageID: String?
        public var httpStatus: Int?
        public var seconds: Double?
        public var receipt: String?
        public var receiptSigned: Bool?
        public var receiptVerified: Bool?
        public var micMatched: Bool?
        public var ok: Bool
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case partner, url, seconds, receipt, ok, error
            case messageID = "message_id"
            case httpStatus = "http_status"
            case receiptSigned = "receipt_signed"
            case receiptVerified = "receipt_verified"
            case micMatched = "mic_matched"
        }
    }

    let snapshot: AgentSnapshot
    let logger: Logger
    let version: String

    public init(configuration: AgentConfiguration, version: String, logger: Logger) throws {
        snapshot = try AgentSnapshot(configuration: configuration)
        self.logger = logger
        self.version = version
    }

    public func run(partner name: String) async -> Report {
        guard let partner = snapshot.partner(named: name) else {
            return Report(partner: name, url: "", ok: false, error: "no partner named \(name)")
        }
        let c = partner.configuration
        var report = Report(partner: name, url: c.url.absoluteString, ok: false)
        let work = snapshot.configuration.agent.stateDirectory + "/work"
        let client = HTTPClient(version: version, logger: logger)
        defer { Task { await client.shutdown() } }
        do {
            try FileSystem.createDirectory(work)
            let messageID = MessageID.generate(domain: InboundService.domain(snapshot.identity.as2ID))
            report.messageID = messageID
            var options = OutboundMessageOptions(
                as2From: snapshot.identity.as2ID, as2To: partner.as2ID, messageID: messageID,
                subject: "as2-agent connectivity test", contentType: "text/plain", filename: "as2-agent-test.txt",
                signature: c.outbound.sign ?? .sha256, signatureScheme: c.outbound.signatureScheme,
                includeCertificates: c.interop.includeCertificateInSignature,
                encryption: c.outbound.encrypt, keyTransport: c.outbound.keyTransport, compression: c.outbound.compress,
                mdn: MDNRequest(signingDigest: c.outbound.mdnMICAlgorithm),
                legacyMicalgNames: c.interop.legacyMICAlgorithmNames, recipientAddress: c.url.absoluteString,
                userAgent: "as2-agent/\(version)"
            )
            options.payloadTransferEncoding = c.interop.payloadTransferEncoding
            let payload = MemoryByteSource("as2-agent connectivity test \(messageID) \(Date())\r\n")
            let message = try MessageBuilder.build(
                payload: payload, options: options, signer: snapshot.identity.signing,
                recipients: partner.encryptionCertificate.map { [$0] } ?? [], workDirectory: work
            )
            let started = ContinuousClock.now
            let response = try await client.execute(HTTPClientRequest(
                url: c.url.absoluteString, headers: message.headers.map { ($0.name, $0.value) }, body: message.body,
                useChunkedEncoding: c.interop.chunked, tls: partner.tls,
                basicAuth: c.transport.basicAuth.map { ($0.user, $0.password.value) }, proxy: c.transport.proxy?.absoluteString,
                connectTimeout: c.transport.connectTimeout, readTimeout: c.transport.readTimeout, responseSpoolDirectory: work
            ))
            report.seconds = (ContinuousClock.now - started).seconds
            report.httpStatus = response.status
            guard (200..<300).contains(response.status) else {
                report.error = "the partner answered HTTP \(response.status)"
                return report
            }
            let parsed = try MDNParser.parse(headers: response.headers, body: response.body, trusted: partner.verifyCertificates)
            let evaluation = MDNEvaluator.evaluate(parsed, expecting: MDNExpectation(
                messageID: messageID, ourID: snapshot.identity.as2ID, partnerID: partner.as2ID,
                expectedMICs: message.expectedMICs, signedReceiptRequested: true, requireSignedReceipt: c.inbound.requireSignedMDN
            ))
            report.receipt = parsed.report.disposition?.headerValue ?? parsed.report.dispositionText
            report.receiptSigned = parsed.isSigned
            report.receiptVerified = evaluation.signatureVerified
            report.micMatched = evaluation.micMatched
            switch evaluation.verdict {
            case .delivered: report.ok = true
            case let .deliveredWithWarning(w):
                report.ok = true
                report.error = "warning: \(w)"
            case let .failed(_, reason), let .invalid(reason):
                report.error = reason
            }
        } catch {
            report.error = "\(error)"
        }
        return report
    }
}
