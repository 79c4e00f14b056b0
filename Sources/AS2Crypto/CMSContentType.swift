/// The content type a CMS ContentInfo announces (RFC 5652 §3), read from its first bytes.
public enum CMSContentType: Equatable, Sendable {
    case data, signedData, envelopedData, authEnvelopedData, compressedData
    /// Any other type, by dotted OID.
    case other(String)

    init(oid: OID) {
        switch oid {
        case .data: self = .data
        case .signedData: self = .signedData
        case .envelopedData: self = .envelopedData
        case .authEnvelopedData: self = .authEnvelopedData
        case .compressedData: self = .compressedData
        default: self = .other(oid.dotted)
        }
    }
}
