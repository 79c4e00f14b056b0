extension KeyTransportAlgorithm {
    /// The key-encryption algorithm's OBJECT IDENTIFIER, dotted.
    public var oid: String {
        switch self {
        case .rsaPKCS1v15: return OID.rsaEncryption.dotted
        case .rsaOAEP: return OID.rsaesOAEP.dotted
        }
    }

    /// The key transport named by a dotted OID, or nil when it is not one of ours.
    public init?(oid: String) {
        guard let found = Self.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = found
    }
}
