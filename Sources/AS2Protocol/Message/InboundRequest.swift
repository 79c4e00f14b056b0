import AS2Crypto
import AS2MIME
import Foundation

/// Why a request cannot be processed as an AS2 message at all: answered with an HTTP status and no
/// MDN (requirements §1.7, §4.5 first row).
public struct InboundRequestError: Error, Equatable, CustomStringConvertible {
    public let httpStatus: Int
    public let message: String
    public var description: String { message }
}

/// What a partner asked for in the receipt (RFC 4130 §7.3).
public struct InboundMDNRequest: Sendable {
    public let options: DispositionNotificationOptions?
    /// The Receipt-Delivery-Option URL when an asynchronous MDN is requested.
    public let receiptDeliveryURL: String?
    public var isAsync: Bool { receiptDeliveryURL != nil }
    public var signedReceiptRequested: Bool { options?.signedReceiptRequested ?? false }
    /// The digest to sign the MDN with (R-DNO-4), when a signed MDN was requested and one is supported.
    public var signingDigest: DigestAlgorithm? {
        guard signedReceiptRequested else { return nil }
        return options?.mdnSigningDigest() ?? .sha256
    }
    /// The failed disposition a required-but-unsupported option demands (R-DNO-2, R-DNO-5).
    public var failure: Disposition? { options?.failure }
    /// The MIC algorithms the partner listed, in order, that we support.
    public var micAlgorithms: [DigestAlgorithm] {
        (options?.signedReceiptMICAlgorithms?.names ?? []).compactMap { DigestAlgorithm(micalg: $0) }
    }
}

/// The AS2 envelope of a received POST: headers checked and decoded (requirements §1.2–1.4).
public struct InboundRequest: Sendable {
    public let headers: MIMEHeaders
    public let as2From: AS2Name
    public let as2To: AS2Name
    /// The Message-ID exactly as received (for Original-Message-ID).
    public let messageID: String
    public let contentType: ContentType
    public let subject: String?
    /// nil when no receipt was requested (no Disposition-Notification-To).
    public let mdnRequest: InboundMDNRequest?

    /// Normalised Message-ID for lookups and duplicate detection (R-HDR-2).
    public var messageIDKey: String { MessageID.normalizedKey(messageID) }

    /// True when the body is itself an MDN (an asynchronous receipt posted to the AS2 endpoint).
    public var isMDN: Bool {
        let t = contentType.mimeType
        if t == "multipart/report" || t == "message/disposition-notification" { return true }
        if t == "multipart/signed", mdnRequest == nil, contentType[parameter: "report-type"] != nil { return true }
        return false
    }

    public init(headers pairs: [(String, String)]) throws {
        let headers = MIMEHeaders(pairs)
        self.headers = headers
        // R-HTTP-12: differing duplicates of single-valued headers are malformed.
        for name in ["AS2-From", "AS2-To", "Message-ID", "Content-Type"] {
            let values = headers.values(name)
            if let first = values.first, values.dropFirst().contains(where: { $0 != first }) {
                throw InboundRequestError(httpStatus: 400, message: "conflicting duplicate \(name) headers")
            }
        }
        guard let from = headers["AS2-From"], !from.isEmpty else {
            throw InboundRequestError(httpStatus: 400, message: "missing AS2-From header")
        }
        guard let to = headers["AS2-To"], !to.isEmpty else {
            throw InboundRequestError(httpStatus: 400, message: "missing AS2-To header")
        }
        guard let messageID = headers["Message-ID"].map(FieldText.trimmingWhitespace), !messageID.isEmpty else {
            throw InboundRequestError(httpStatus: 400, message: "missing Message-ID header")
        }
        guard messageID.utf8.count <= 998, !messageID.contains(where: { $0.asciiValue.map { $0 < 0x20 } ?? false }) else {
            throw InboundRequestError(httpStatus: 400, message: "invalid Message-ID header")
        }
        do {
            as2From = try AS2Name(headerValue: from)
        } catch {
            throw InboundRequestError(httpStatus: 400, message: "invalid AS2-From: \(error)")
        }
        do {
            as2To = try AS2Name(headerValue: to)
        } catch {
            throw InboundRequestError(httpStatus: 400, message: "invalid AS2-To: \(error)")
        }
        guard let ct = headers["Content-Type"] else {
            throw InboundRequestError(httpStatus: 400, message: "missing Content-Type header")
        }
        do {
            contentType = try ContentType(parsing: ct)
        } catch {
            throw InboundRequestError(httpStatus: 400, message: "invalid Content-Type: \(error)")
        }
        self.messageID = messageID
        subject = headers["Subject"]
        if headers["Disposition-Notification-To"] != nil {
            let dno = headers["Disposition-Notification-Options"].map { DispositionNotificationOptions(parsing: $0) }
            let rdo = headers["Receipt-Delivery-Option"].map(FieldText.trimmingWhitespace)
            mdnRequest = InboundMDNRequest(options: dno, receiptDeliveryURL: (rdo?.isEmpty ?? true) ? nil : rdo)
        } else {
            mdnRequest = nil
        }
    }
}
