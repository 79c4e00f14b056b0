/// The HTTPS listener of `[http]`: where it listens, its certificate and key, and the CA file that
/// client certificates must chain to when partners authenticate with one.
public struct HTTPSListenerSettings: Sendable, Equatable {
    public var listen: ListenAddress
    public var certificate: String
    /// Defaults to the certificate file (one PEM holding both).
    public var privateKey: String
    public var privateKeyPassword: Secret?
    /// When set, the server requests client certificates and verifies them against this CA file.
    public var clientCAFile: String?

    public init(listen: ListenAddress, certificate: String, privateKey: String, privateKeyPassword: Secret? = nil, clientCAFile: String? = nil) {
        self.listen = listen
        self.certificate = certificate
        self.privateKey = privateKey
        self.privateKeyPassword = privateKeyPassword
        self.clientCAFile = clientCAFile
    }
}
