/// How processing an inbound message ended.
public enum InboundOutcome: Sendable, Hashable {
    /// The document was written to `inbox/` (with its sidecar).
    case delivered(DeliveredDocument)
    /// Refused; `disposition` is the Disposition field sent back,
    /// e.g. `automatic-action/MDN-sent-automatically; processed/error: decryption-failed`.
    case rejected(disposition: String)
}
