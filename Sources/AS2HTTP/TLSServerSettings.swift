/// TLS for the server: its certificate and key, and whether clients must present a certificate.
public struct TLSServerSettings: Sendable {
    /// Whether a client certificate is asked for, and whether its absence ends the handshake.
    public enum ClientCertificatePolicy: Sendable {
        /// Not asked for.
        case none
        /// Asked for and verified against `clientCAPEMPath` when presented; may be absent.
        case optional
        /// Must be presented and verify against `clientCAPEMPath`.
        case required
    }

    /// PEM file with the server certificate first, then any intermediates.
    public var certificateChainPEMPath: String
    /// PEM file with the private key.
    public var privateKeyPEMPath: String
    /// Passphrase of an encrypted private key.
    public var privateKeyPassword: String?
    /// PEM file of the certificates that client certificates must chain to (self-signed partner
    /// certificates can be listed directly). Required unless `clientCertificate` is `.none`.
    public var clientCAPEMPath: String?
    public var clientCertificate: ClientCertificatePolicy

    public init(
        certificateChainPEMPath: String, privateKeyPEMPath: String, privateKeyPassword: String? = nil,
        clientCAPEMPath: String? = nil, clientCertificate: ClientCertificatePolicy = .none
    ) {
        self.certificateChainPEMPath = certificateChainPEMPath
        self.privateKeyPEMPath = privateKeyPEMPath
        self.privateKeyPassword = privateKeyPassword
        self.clientCAPEMPath = clientCAPEMPath
        self.clientCertificate = clientCertificate
    }
}
