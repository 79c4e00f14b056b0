/// Content-Transfer-Encoding of the payload MIME part we send (requirements §1.5). `binary` is the
/// AS2 norm; `base64` is an interop switch for partners whose gateways mangle binary parts.
public enum PayloadTransferEncoding: String, CaseIterable, Sendable, Codable {
    case binary
    case base64
}
