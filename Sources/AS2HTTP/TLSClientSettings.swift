/// How the client checks the server and identifies itself over TLS. There is deliberately no way
/// to trust every certificate: either a trust anchor (file or system store) or an exact pin.
public struct TLSClientSettings: Sendable, Hashable {
    /// Lowest protocol version offered.
    public enum MinimumVersion: Sendable, Hashable {
        case tls12
        case tls13
    }

    /// PEM file of trust anchors for the server's certificate (a partner CA, or the partner's
    /// self-signed certificate); nil uses the system store.
    public var trustRootsPEMFile: String?
    /// Trust exactly this leaf certificate (DER) and nothing else; chain and hostname checks are
    /// waived because the pin identifies the server (requirements R-HTTP-9).
    public var pinnedCertificateDER: [UInt8]?
    /// Check that the certificate names the URL's host. Ignored when pinned.
    public var verifyHostname: Bool
    /// PEM file with the client certificate (then intermediates), for servers that require one.
    public var clientCertificatePEMFile: String?
    /// PEM file with the client certificate's private key.
    public var clientKeyPEMFile: String?
    /// Passphrase of an encrypted client key.
    public var clientKeyPassword: String?
    public var minimumVersion: MinimumVersion

    public init(
        trustRootsPEMFile: String? = nil, pinnedCertificateDER: [UInt8]? = nil, verifyHostname: Bool = true,
        clientCertificatePEMFile: String? = nil, clientKeyPEMFile: String? = nil, clientKeyPassword: String? = nil,
        minimumVersion: MinimumVersion = .tls12
    ) {
        self.trustRootsPEMFile = trustRootsPEMFile
        self.pinnedCertificateDER = pinnedCertificateDER
        self.verifyHostname = verifyHostname
        self.clientCertificatePEMFile = clientCertificatePEMFile
        self.clientKeyPEMFile = clientKeyPEMFile
        self.clientKeyPassword = clientKeyPassword
        self.minimumVersion = minimumVersion
    }
}
