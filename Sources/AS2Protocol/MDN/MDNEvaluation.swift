import AS2Crypto
import Foundation

/// What the sender knows about a message when its receipt arrives (R-VAL-*).
public struct MDNExpectation: Sendable {
    public var messageID: String
    /// Our AS2 id (the MDN's AS2-To) and the partner's (its AS2-From).
    public var ourID: AS2Name
    public var partnerID: AS2Name
    public var expectedMICs: [ExpectedMIC]
    public var signedReceiptRequested: Bool
    /// Fail an unsigned receipt when a signed one was requested (R-VAL-4; default on).
    public var requireSignedReceipt: Bool

    public init(messageID: String, ourID: AS2Name, partnerID: AS2Name, expectedMICs: [ExpectedMIC], signedReceiptRequested: Bool, requireSignedReceipt: Bool = true) {
        self.messageID = messageID
        self.ourID = ourID
        self.partnerID = partnerID
        self.expectedMICs = expectedMICs
        self.signedReceiptRequested = signedReceiptRequested
        self.requireSignedReceipt = requireSignedReceipt
    }
}

/// The sender's verdict on a receipt (requirements §4.9).
public struct MDNEvaluation: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// The partner processed the message and everything checked out.
        case delivered
        /// Processed with a warning (e.g. duplicate-document), or accepted without non-repudiation by policy.
        case deliveredWithWarning(String)
        /// The partner refused the message, or the receipt proves it did not get our bytes.
        case failed(category: String, reason: String)
        /// The receipt itself cannot be trusted or does not belong to this message.
        case invalid(reason: String)
    }
    public let verdict: Verdict
    public let signatureVerified: Bool
    /// nil when no MIC was compared.
    public let micMatched: Bool?
    /// The expected MIC that matched, for the log ("which variant").
    public let matchedMIC: ExpectedMIC?
    public let notes: [String]
}

public enum MDNEvaluator {
    public static func evaluate(_ mdn: ParsedMDN, expecting e: MDNExpectation) -> MDNEvaluation {
        var notes: [String] = []
        func result(_ v: MDNEvaluation.Verdict, mic: Bool? = nil, matched: ExpectedMIC? = nil) -> MDNEvaluation {
            MDNEvaluation(verdict: v, signatureVerified: mdn.signatureVerified, micMatched: mic, matchedMIC: matched, notes: notes)
        }
        // R-VAL-2: correlation.
        guard let original = mdn.report.originalMessageID,
            MessageID.normalizedKey(original) == MessageID.normalizedKey(e.messageID)
        else {
            return result(.invalid(reason: "the receipt is for message \(mdn.report.originalMessageID ?? "(none)"), not \(e.messageID)"))
        }
        // R-VAL-3: AS2 ids swapped; a mismatch is noted, not fatal.
        if let from = mdn.as2From, from != e.partnerID { notes.append("receipt AS2-From \(from.value) is not the partner's id \(e.partnerID.value)") }
        if let to = mdn.as2To, to != e.ourID { notes.append("receipt AS2-To \(to.value) is not our id \(e.ourID.value)") }
        // R-VAL-5: a signature present must verify with the partner's certificates.
        if let signature = mdn.signature {
            switch signature {
            case .valid: break
            case let .contentDigestMismatch(cert, _):
                return result(.invalid(reason: "the receipt's content does not match its signature (signer \(cert.sha256Fingerprint))"))
            case let .signatureInvalid(r), let .unknownSigner(r), let .unsupportedAlgorithm(r), let .malformed(r):
                return result(.invalid(reason: "the receipt's signature does not verify with the partner's certificate: \(r)"))
            case let .signerCertificateExpired(cert):
                return result(.invalid(reason: "the receipt is signed with an expired certificate \(cert.sha256Fingerprint)"))
            }
        }
        guard let disposition = mdn.report.disposition else {
            return result(.failed(category: "invalid-mdn", reason: "unreadable Disposition \"\(mdn.report.dispositionText ?? "")\""))
        }
        // R-VAL-6: classify.
        guard disposition.isSuccess else {
            return result(.failed(category: "negative-mdn", reason: "the partner answered \(disposition.headerValue)"))
        }
        // R-VAL-4: no non-repudiation.
        var warning: String? = disposition.isWarning ? "the partner answered \(disposition.headerValue)" : nil
        if e.signedReceiptRequested && !mdn.isSigned {
            if e.requireSignedReceipt {
                return result(.failed(category: "unsigned-mdn", reason: "a signed receipt was requested but the partner's receipt is unsigned (no proof of delivery)"))
            }
            warning = "unsigned receipt although a signed one was requested"
        }
        // R-VAL-7: MIC.
        var micMatched: Bool?
        var matched: ExpectedMIC?
        if let mic = mdn.report.receivedContentMIC {
            matched = e.expectedMICs.first { $0.algorithm == mic.algorithm && $0.digest == mic.digest }
            micMatched = matched != nil
            if matched == nil {
                return result(
                    .failed(category: "mic-mismatch", reason: "the receipt's MIC (\(mic.headerValue)) does not match what was sent: the partner did not receive our exact bytes"),
                    mic: false
                )
            }
            if let m = matched, m.variant != e.expectedMICs.first?.variant { notes.append("MIC matched the \(m.variant) variant") }
        } else if mdn.isSigned && e.expectedMICs.contains(where: { $0.variant == "signed-content" }) {
            // RFC 4130 §7.4.3: the MIC is required in a signed receipt for a signed message.
            return result(.failed(category: "mic-mismatch", reason: "the signed receipt carries no Received-Content-MIC"))
        } else if mdn.isSigned {
            notes.append("the signed receipt carries no Received-Content-MIC (common for unsigned messages)")
        }
        if let warning { return result(.deliveredWithWarning(warning), mic: micMatched, matched: matched) }
        return result(.delivered, mic: micMatched, matched: matched)
    }
}
