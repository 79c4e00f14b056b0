import AS2Bytes
import AS2Crypto
import AS2MIME
import Foundation

/// The logic behind `as2-agent inspect`: what a captured message or MDN contains, whether it
/// verifies, and which disposition the agent would answer (pure; the CLI only does I/O).
public enum MessageInspector {
    public enum Verdict: Int32, Sendable {
        case valid = 0
        case invalid = 1
        case negativeReceipt = 2
    }

    public static func inspect(
        captured: CapturedMessage, security: InboundSecurity, policy: InboundPolicy, workDirectory: String,
        extractTo directory: String? = nil, now: Date = Date()
    ) -> (InspectionReport, Verdict) {
        if isMDN(captured) { return inspectMDN(captured, security: security, now: now) }
        var report = InspectionReport(kind: "message")
        let request: InboundRequest
        do {
            request = try InboundRequest(headers: captured.headers)
        } catch {
            report.error = "not processable as an AS2 message (HTTP 400): \(error)"
            return (report, .invalid)
        }
        report.messageID = request.messageID
        report.as2From = request.as2From.value
        report.as2To = request.as2To.value
        report.subject = request.subject
        if let mdn = request.mdnRequest {
            report.mdnRequested = .init(
                mode: mdn.isAsync ? "async" : "sync", signed: mdn.signedReceiptRequested,
                micalg: mdn.options?.signedReceiptMICAlgorithms?.names ?? [], url: mdn.receiptDeliveryURL
            )
            if let failure = mdn.failure {
                report.disposition = failure.headerValue
                report.error = "the receipt request cannot be honoured"
                return (report, .invalid)
            }
        }
        let result = MessageUnpacker.unpack(
            request: request, body: captured.body, security: security, policy: policy, workDirectory: workDirectory, now: now
        )
        report.disposition = result.disposition.headerValue
        switch result {
        case let .accepted(m):
            report.valid = true
            report.layers = m.layers.map(layer)
            report.mic = .init(algorithm: m.mic.algorithmName, digest: Data(m.mic.digest).base64EncodedString())
            report.notes = m.notes
            do {
                let sha = try Digest.compute(.sha256, over: m.payload)
                var payload = InspectionReport.Payload(
                    size: m.payload.count, sha256: Hex.encode(sha),
                    contentType: m.contentType, filename: m.filename ?? SafeFilename.fromMessageID(request.messageID),
                    originalFilename: m.originalFilename
                )
                if let directory {
                    let path = directory + "/" + (payload.filename ?? "payload")
                    try AtomicFile.write(m.payload, to: path, replace: false)
                    payload.extractedTo = path
                }
                report.payload = payload
            } catch {
                report.valid = false
                report.error = "payload could not be read or extracted: \(error)"
            }
        case let .rejected(r):
            report.layers = r.layers.map(layer)
            report.error = r.reason
        }
        return (report, report.valid ? .valid : .invalid)
    }

    static func layer(_ l: MessageLayer) -> InspectionReport.Layer {
        switch l {
        case let .encrypted(algorithm, keyTransport, fingerprint):
            return .init(type: "encrypted", algorithm: algorithm.rawValue, keyTransport: keyTransport.rawValue, certificateSHA256: fingerprint, status: "decrypted")
        case let .signed(digest, scheme, fingerprint):
            return .init(type: "signed", algorithm: digest.rawValue, scheme: scheme.rawValue, certificateSHA256: fingerprint, status: "verified")
        case .compressed:
            return .init(type: "compressed", algorithm: "zlib", status: "decompressed")
        }
    }

    /// An MDN is multipart/report, message/disposition-notification, or multipart/signed whose
    /// first part is a multipart/report.
    static func isMDN(_ captured: CapturedMessage) -> Bool {
        let headers = MIMEHeaders(captured.headers)
        guard let ct = headers["Content-Type"].flatMap({ try? ContentType(parsing: $0) }) else { return false }
        switch ct.mimeType {
        case "multipart/report", "message/disposition-notification": return true
        case "multipart/signed":
            let entity = MIMEEntity(headers: headers, body: captured.body)
            guard let multipart = try? Multipart.parse(entity, requireClose: false), let first = multipart.parts.first else { return false }
            return first.contentType?.mimeType == "multipart/report"
        default: return false
        }
    }

    static func inspectMDN(_ captured: CapturedMessage, security: InboundSecurity, now: Date) -> (InspectionReport, Verdict) {
        var report = InspectionReport(kind: "mdn")
        let headers = MIMEHeaders(captured.headers)
        report.messageID = headers["Message-ID"]
        report.as2From = headers["AS2-From"]
        report.as2To = headers["AS2-To"]
        let parsed: ParsedMDN
        do {
            parsed = try MDNParser.parse(headers: captured.headers, body: captured.body, trusted: security.partnerCertificates, now: now)
        } catch {
            report.error = "\(error)"
            return (report, .invalid)
        }
        report.signed = parsed.isSigned
        report.originalMessageID = parsed.report.originalMessageID
        report.disposition = parsed.report.disposition?.headerValue ?? parsed.report.dispositionText
        if let mic = parsed.report.receivedContentMIC {
            report.mic = .init(algorithm: mic.algorithmName, digest: Data(mic.digest).base64EncodedString())
        }
        if let signature = parsed.signature {
            var layer = InspectionReport.Layer(type: "signed")
            switch signature {
            case let .valid(cert, digest, scheme):
                layer.algorithm = digest.rawValue
                layer.scheme = scheme.rawValue
                layer.certificateSHA256 = cert.sha256Fingerprint
                layer.status = "verified"
            case let .contentDigestMismatch(cert, digest):
                layer.algorithm = digest.rawValue
                layer.certificateSHA256 = cert.sha256Fingerprint
                layer.status = "content does not match the signature"
            case let .signatureInvalid(r), let .unknownSigner(r), let .unsupportedAlgorithm(r), let .malformed(r):
                layer.status = "not verified: \(r)"
            case let .signerCertificateExpired(cert):
                layer.certificateSHA256 = cert.sha256Fingerprint
                layer.status = "not verified: signer certificate expired"
            }
            report.layers = [layer]
        }
        let trusted = !parsed.isSigned || parsed.signatureVerified
        guard trusted else {
            report.error = "the MDN's signature does not verify against the given partner certificates"
            return (report, .invalid)
        }
        if !parsed.isSigned { report.notes.append("unsigned MDN: no proof of origin") }
        guard let disposition = parsed.report.disposition else {
            report.error = "unreadable Disposition field"
            return (report, .invalid)
        }
        report.valid = true
        report.positive = disposition.isSuccess
        return (report, disposition.isSuccess ? .valid : .negativeReceipt)
    }
}
