import AS2Bytes
import AS2Crypto
import AS2MIME
import Foundation

/// A received MDN, parsed with every tolerance of requirements §4.10 and its signature checked
/// against the partner's certificates only.
public struct ParsedMDN: Sendable {
    public let as2From: AS2Name?
    public let as2To: AS2Name?
    public let messageID: String?
    public let isSigned: Bool
    /// nil for an unsigned MDN.
    public let signature: SignatureVerification?
    public let report: MDNReport

    public var signatureVerified: Bool {
        if case .valid = signature { return true }
        return false
    }
}

/// Parses MDNs: multipart/signed around multipart/report, a bare multipart/report, or a bare
/// message/disposition-notification (R-VAL-1).
public enum MDNParser {
    public static func parse(
        headers pairs: [(String, String)], body: any ByteSource, trusted: [Certificate], now: Date = Date()
    ) throws -> ParsedMDN {
        let headers = MIMEHeaders(pairs)
        guard let ct = headers["Content-Type"], let contentType = try? ContentType(parsing: ct) else {
            throw AS2ProtocolError.invalidMDN("no usable Content-Type")
        }
        var entity = MIMEEntity(headers: headers, body: body)
        var isSigned = false
        var signature: SignatureVerification?
        if contentType.mimeType == "multipart/signed" {
            isSigned = true
            let multipart: Multipart
            do {
                // The RFC A.4 sample lacks a proper close delimiter: tolerated for MDNs only (§4.10).
                multipart = try Multipart.parse(entity, requireClose: false)
            } catch {
                throw AS2ProtocolError.invalidMDN("malformed multipart/signed: \(error)")
            }
            guard multipart.parts.count >= 2 else { throw AS2ProtocolError.invalidMDN("multipart/signed without a signature part") }
            let signatureBytes = try decodeSignature(multipart.parts[1])
            let first = multipart.parts[0].bytes
            var verification = CMS.verifyDetached(signature: signatureBytes, content: first, trusted: trusted, at: now)
            if case .contentDigestMismatch = verification {
                // R-VAL-5: the CRLF fallback of R-CAN-4.
                let canonical = try canonicalize(first)
                let retry = CMS.verifyDetached(signature: signatureBytes, content: canonical, trusted: trusted, at: now)
                if case .valid = retry { verification = retry }
            }
            signature = verification
            do {
                entity = try MIMEEntity.parse(first)
            } catch {
                throw AS2ProtocolError.invalidMDN("the signed part is not a MIME entity: \(error)")
            }
        }
        let report = try parseReport(entity)
        return ParsedMDN(
            as2From: headers["AS2-From"].flatMap { try? AS2Name(headerValue: $0) },
            as2To: headers["AS2-To"].flatMap { try? AS2Name(headerValue: $0) },
            messageID: headers["Message-ID"],
            isSigned: isSigned,
            signature: signature,
            report: report
        )
    }

    static func parseReport(_ entity: MIMEEntity) throws -> MDNReport {
        let type = entity.contentType?.mimeType ?? "text/plain"
        switch type {
        case "multipart/report":
            let multipart: Multipart
            do {
                multipart = try Multipart.parse(entity, requireClose: false)
            } catch {
                throw AS2ProtocolError.invalidMDN("malformed multipart/report: \(error)")
            }
            // The notification part is the one typed message/disposition-notification; Sterling
            // omits the first part's Content-Type, and a third part may follow (§4.10).
            guard let notification = multipart.parts.first(where: { $0.contentType?.mimeType == "message/disposition-notification" })
                ?? (multipart.parts.count >= 2 ? multipart.parts[1] : nil)
            else {
                throw AS2ProtocolError.invalidMDN("multipart/report without a disposition-notification part")
            }
            var report = try parseFields(decoded(notification))
            if let textPart = multipart.parts.first, textPart.range != notification.range {
                report.text = String(decoding: (try? decoded(textPart).readAll(limit: 1 << 20)) ?? [], as: UTF8.self)
            }
            return report
        case "message/disposition-notification":
            return try parseFields(decoded(entity))
        default:
            throw AS2ProtocolError.invalidMDN("not an MDN (Content-Type \(type))")
        }
    }

    static func decoded(_ entity: MIMEEntity) throws -> any ByteSource {
        switch entity.transferEncoding {
        case nil, "7bit", "8bit", "binary": return entity.body
        default:
            let sink = MemorySink(limit: 1 << 20)
            try TransferEncoding.decode(entity, to: sink)
            return MemoryByteSource(sink.bytes)
        }
    }

    /// Header-style field parsing (R-MDNF-2): unfolded, names case-insensitive, order-independent.
    static func parseFields(_ source: any ByteSource) throws -> MDNReport {
        let bytes = try source.readAll(limit: 1 << 20)
        var fields: [(String, String)] = []
        // Split bytes, not a String: Swift reads CRLF as one Character, so "\n" never matches it.
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let l = String(decoding: rawLine.last == 0x0D ? rawLine.dropLast() : rawLine, as: UTF8.self)
            if FieldText.trimmingWhitespace(l).isEmpty { continue }
            if l.first == " " || l.first == "\t" {
                if let last = fields.popLast() {
                    fields.append((last.0, last.1 + " " + FieldText.trimmingWhitespace(l)))
                }
                continue
            }
            guard let colon = l.firstIndex(of: ":") else { continue }
            fields.append((
                FieldText.trimmingWhitespace(l[..<colon]).lowercased(),
                FieldText.trimmingWhitespace(l[l.index(after: colon)...])
            ))
        }
        func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
        let dispositionText = field("disposition")
        var report = MDNReport(
            reportingUA: field("reporting-ua"),
            originalRecipient: field("original-recipient"),
            finalRecipient: field("final-recipient"),
            originalMessageID: field("original-message-id"),
            disposition: dispositionText.flatMap { try? Disposition(parsing: $0) },
            receivedContentMIC: field("received-content-mic").flatMap { try? ReceivedContentMIC(parsing: $0) },
            details: fields.filter { ["error", "warning", "failure"].contains($0.0) }.map { (name: $0.0, value: $0.1) }
        )
        report.dispositionText = dispositionText
        if report.disposition == nil, dispositionText == nil {
            throw AS2ProtocolError.invalidMDN("the MDN has no Disposition field")
        }
        return report
    }

    static func decodeSignature(_ part: MIMEEntity) throws -> [UInt8] {
        do {
            if part.transferEncoding == "base64" {
                let sink = MemorySink(limit: 16 << 20)
                try TransferEncoding.decodeBase64(part.body, to: sink)
                return sink.bytes
            }
            let raw = try part.body.readAll(limit: 16 << 20)
            if let first = raw.first, first != 0x30, raw.allSatisfy(Unwrapping.isBase64OrSpace) {
                return try TransferEncoding.decodeBase64(String(decoding: raw, as: UTF8.self))
            }
            return raw
        } catch {
            throw AS2ProtocolError.invalidMDN("the MDN signature cannot be decoded: \(error)")
        }
    }

    static func canonicalize(_ source: any ByteSource) throws -> any ByteSource {
        var out: [UInt8] = []
        var previous: UInt8 = 0
        try source.forEachChunk { chunk in
            for b in chunk {
                if b == 0x0A && previous != 0x0D { out.append(0x0D) }
                out.append(b)
                previous = b
            }
        }
        return MemoryByteSource(out)
    }
}
