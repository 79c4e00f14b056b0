import AS2Bytes
import AS2Crypto
import AS2MIME
import Foundation

/// An MDN ready to send: HTTP headers (for a sync response or an async POST) and body.
public struct BuiltMDN: Sendable {
    public let messageID: String
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]
    public let isSigned: Bool
    public let report: MDNReport
}

/// Builds receipts (requirements §4.1–4.6): multipart/report with a text part and a
/// message/disposition-notification part, signed as multipart/signed over the report's exact bytes
/// when requested.
public enum MDNBuilder {
    /// The report answering `request` with `disposition`.
    public static func report(
        for request: InboundRequest, disposition: Disposition, mic: ReceivedContentMIC?, reason: String?,
        reportingUA: String = "as2-agent"
    ) -> MDNReport {
        let recipient = "rfc822; \(request.as2To.headerValue)"
        var text = "The AS2 message \(request.messageID) sent by \(request.as2From.value) to \(request.as2To.value)"
        var details: [(name: String, value: String)] = []
        if disposition.isSuccess && !disposition.isWarning {
            text += " was received and processed. This is not a guarantee that the content was read or understood."
        } else {
            text += " could not be processed: \(disposition.headerValue)."
            if let reason {
                text += "\r\n\r\n\(reason)"
                details.append((name: disposition.isWarning ? "Warning" : "Error", value: reason))
            }
        }
        return MDNReport(
            reportingUA: reportingUA, originalRecipient: recipient, finalRecipient: recipient,
            originalMessageID: request.messageID, disposition: disposition,
            receivedContentMIC: disposition.isSuccess ? mic : nil, details: details, text: text
        )
    }

    /// Serializes (and signs, when `signer` and `digest` are given) the report. `from` is us — the
    /// request's AS2-To — and `to` the request's AS2-From (R-ID-5).
    public static func build(
        report: MDNReport, from: AS2Name, to: AS2Name, messageID: String, date: Date = Date(),
        signer: Identity?, digest: DigestAlgorithm?, legacyMicalgNames: Bool = false, userAgent: String = "as2-agent"
    ) throws -> BuiltMDN {
        let boundary = MIMEWriter.randomBoundary()
        let textPart = MIMEWriter.entity(
            headers: MIMEHeaders([("Content-Type", "text/plain; charset=us-ascii"), ("Content-Transfer-Encoding", "7bit")]),
            body: MemoryByteSource(asciiOnly(report.text) + "\r\n")
        )
        let fieldsPart = MIMEWriter.entity(
            headers: MIMEHeaders([("Content-Type", "message/disposition-notification"), ("Content-Transfer-Encoding", "7bit")]),
            body: MemoryByteSource(report.fieldLines)
        )
        let reportBody = MIMEWriter.multipart(boundary: boundary, parts: [textPart, fieldsPart])
        let reportType = ContentType(
            "multipart/report", parameters: [("report-type", "disposition-notification"), ("boundary", boundary)]
        ).headerValue

        var headers: [(name: String, value: String)] = [
            ("AS2-Version", "1.1"),
            ("AS2-From", from.headerValue),
            ("AS2-To", to.headerValue),
            ("Message-ID", messageID),
            ("Date", HTTPDate.format(date)),
            ("Subject", "Your Requested MDN Response"),
            ("MIME-Version", "1.0"),
            ("User-Agent", userAgent),
        ]
        let body: [UInt8]
        let signed: Bool
        if let signer, let digest {
            let reportEntity = MIMEWriter.entity(headers: MIMEHeaders([("Content-Type", reportType)]), body: reportBody)
            let signature = try CMS.signDetached(content: reportEntity, signer: signer, digest: digest)
            let signatureBoundary = MIMEWriter.randomBoundary()
            let signaturePart = MIMEWriter.entity(
                headers: MIMEHeaders([
                    ("Content-Type", "application/pkcs7-signature; name=smime.p7s; smime-type=signed-data"),
                    ("Content-Transfer-Encoding", "base64"),
                    ("Content-Disposition", "attachment; filename=smime.p7s"),
                ]),
                body: MemoryByteSource(TransferEncoding.encodeBase64(signature, lineLength: 76))
            )
            body = try MIMEWriter.multipart(boundary: signatureBoundary, parts: [reportEntity, signaturePart]).readAll()
            headers.append((
                "Content-Type",
                ContentType(
                    "multipart/signed",
                    parameters: [
                        ("protocol", "application/pkcs7-signature"),
                        ("micalg", legacyMicalgNames ? digest.legacyMicalgName : digest.micalgName),
                        ("boundary", signatureBoundary),
                    ]
                ).headerValue
            ))
            signed = true
        } else {
            body = try reportBody.readAll()
            headers.append(("Content-Type", reportType))
            signed = false
        }
        return BuiltMDN(messageID: messageID, headers: headers, body: body, isSigned: signed, report: report)
    }

    static func asciiOnly(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.isASCII && ($0.value >= 0x20 || $0 == "\r" || $0 == "\n" || $0 == "\t") ? Character($0) : "?" })
    }
}
