/// Field names of the message/disposition-notification part of an MDN (RFC 4130 §7.4.2,
/// RFC 8098 §3; requirements §4.3), spelled as we send them; match case-insensitively.
public enum MDNField {
    public static let reportingUA = "Reporting-UA"
    public static let mdnGateway = "MDN-Gateway"
    public static let originalRecipient = "Original-Recipient"
    public static let finalRecipient = "Final-Recipient"
    public static let originalMessageID = "Original-Message-ID"
    public static let disposition = "Disposition"
    public static let receivedContentMIC = "Received-Content-MIC"
    public static let failure = "Failure"
    public static let error = "Error"
    public static let warning = "Warning"
}
