/// The machine-readable fields of a message/disposition-notification (RFC 4130 §7.4.2, RFC 8098),
/// plus the human-readable text of the first report part.
public struct MDNReport: Sendable {
    public var reportingUA: String?
    /// e.g. `rfc822; GLOBEX` — the request's AS2-To as received.
    public var originalRecipient: String?
    public var finalRecipient: String?
    /// The request's Message-ID verbatim (never add or strip brackets).
    public var originalMessageID: String?
    public var disposition: Disposition?
    /// The Disposition field as received, kept when it does not parse.
    public var dispositionText: String?
    public var receivedContentMIC: ReceivedContentMIC?
    /// Free-text Error / Warning / Failure fields, in order.
    public var details: [(name: String, value: String)]
    public var text: String

    public init(
        reportingUA: String? = "as2-agent", originalRecipient: String? = nil, finalRecipient: String? = nil,
        originalMessageID: String?, disposition: Disposition?, receivedContentMIC: ReceivedContentMIC? = nil,
        details: [(name: String, value: String)] = [], text: String = ""
    ) {
        self.reportingUA = reportingUA
        self.originalRecipient = originalRecipient
        self.finalRecipient = finalRecipient
        self.originalMessageID = originalMessageID
        self.disposition = disposition
        self.dispositionText = disposition?.headerValue
        self.receivedContentMIC = receivedContentMIC
        self.details = details
        self.text = text
    }

    /// The fields in the order of R-MDNF-1, CRLF-terminated.
    var fieldLines: String {
        var lines: [String] = []
        if let reportingUA { lines.append("Reporting-UA: \(reportingUA)") }
        if let originalRecipient { lines.append("Original-Recipient: \(originalRecipient)") }
        if let finalRecipient { lines.append("Final-Recipient: \(finalRecipient)") }
        if let originalMessageID { lines.append("Original-Message-ID: \(originalMessageID)") }
        if let disposition { lines.append("Disposition: \(disposition.headerValue)") }
        for (name, value) in details { lines.append("\(name): \(value)") }
        if let receivedContentMIC { lines.append("Received-Content-MIC: \(receivedContentMIC.headerValue)") }
        return lines.map { $0 + "\r\n" }.joined()
    }
}
