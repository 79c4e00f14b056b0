import AS2Crypto

/// The Disposition-Notification-Options request header (RFC 4130 §7.3, RFC 3798 §2.2;
/// requirements R-DNO-1…7): whether and how the sender wants its MDN signed.
public struct DispositionNotificationOptions: Sendable {
    public enum Importance: String, Sendable {
        case required, optional
    }

    /// `signed-receipt-protocol`: importance and protocol names (lowercased), in order.
    public var signedReceiptProtocol: (importance: Importance, values: [String])?
    /// `signed-receipt-micalg`: importance and MIC algorithm names (lowercased), in order.
    public var signedReceiptMICAlgorithms: (importance: Importance, names: [String])?
    /// Names of parameters we do not know that were marked `required` (R-DNO-2).
    public var unknownRequiredParameters: [String]
    /// What was odd about the value (missing importance, segments without `=`): for logs only.
    public var problems: [String]

    /// Parses tolerantly (R-DNO-1): never throws. Parameters in any order, `;`-separated with
    /// empty segments ignored, whitespace anywhere, importance in any case, quoted items unquoted.
    /// A parameter without an importance keyword is read as optional, its items as values.
    public init(parsing value: String) {
        signedReceiptProtocol = nil
        signedReceiptMICAlgorithms = nil
        unknownRequiredParameters = []
        problems = []
        let unfolded = FieldText.unfold(value)
        for segment in unfolded.split(separator: ";") {
            let trimmedSegment = FieldText.trim(segment)
            if trimmedSegment.isEmpty { continue }
            guard let eq = trimmedSegment.firstIndex(of: "=") else {
                problems.append("parameter \"\(trimmedSegment)\" has no \"=\"")
                continue
            }
            let attribute = FieldText.trim(trimmedSegment[..<eq]).lowercased()
            var items = trimmedSegment[trimmedSegment.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { FieldText.unquote(FieldText.trim($0)) }
                .filter { !$0.isEmpty }
            var importance = Importance.optional
            if let first = items.first, let i = Importance(rawValue: first.lowercased()) {
                importance = i
                items.removeFirst()
            } else {
                problems.append("parameter \(attribute) has no importance (required/optional); read as optional")
            }
            let values = items.map { $0.lowercased() }
            switch attribute {
            case "signed-receipt-protocol":
                signedReceiptProtocol = (importance, values)
            case "signed-receipt-micalg":
                signedReceiptMICAlgorithms = (importance, values)
            default:
                if importance == .required { unknownRequiredParameters.append(attribute) }
            }
        }
    }

    /// R-DNO-3: the protocol list names `pkcs7-signature` (either importance), or only a micalg
    /// list was sent (signing is then allowed, and we sign).
    public var signedReceiptRequested: Bool {
        if let p = signedReceiptProtocol { return p.values.contains("pkcs7-signature") }
        return signedReceiptMICAlgorithms != nil
    }

    /// R-DNO-4: the first algorithm of `signed-receipt-micalg`, left to right, that is in
    /// `supported`; nil when none is (or no list was sent): then use the default.
    public func mdnSigningDigest(supported: [DigestAlgorithm] = DigestAlgorithm.allCases.filter(\.isSendable)) -> DigestAlgorithm? {
        guard let list = signedReceiptMICAlgorithms else { return nil }
        for name in list.names {
            if let d = DigestAlgorithm(micalg: name), supported.contains(d) { return d }
        }
        return nil
    }

    /// R-DNO-2 / R-DNO-5 with the algorithms we can sign with: the `failed` disposition to return
    /// instead of processing, or nil when the request can be honoured (or fallen back from).
    public var failure: Disposition? { failure(supported: DigestAlgorithm.allCases.filter(\.isSendable)) }

    /// As `failure`, for a given list of supported digests.
    public func failure(supported: [DigestAlgorithm]) -> Disposition? {
        if let p = signedReceiptProtocol, p.importance == .required, !p.values.contains("pkcs7-signature") {
            return .failure(Disposition.FailureText.unsupportedFormat)
        }
        if let m = signedReceiptMICAlgorithms, m.importance == .required, mdnSigningDigest(supported: supported) == nil {
            return .failure(Disposition.FailureText.unsupportedMICAlgorithms)
        }
        if !unknownRequiredParameters.isEmpty {
            return .failure(Disposition.FailureText.unsupportedFormat)
        }
        return nil
    }

    /// R-DNO-6: the canonical request,
    /// `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256`
    /// (`sha256` with `legacyNames`). Importance is always written lowercase.
    public static func requestSigned(digest: DigestAlgorithm, legacyNames: Bool = false, importance: Importance = .optional) -> String {
        let name = legacyNames ? digest.legacyMicalgName : digest.micalgName
        return "signed-receipt-protocol=\(importance.rawValue), pkcs7-signature; signed-receipt-micalg=\(importance.rawValue), \(name)"
    }
}
