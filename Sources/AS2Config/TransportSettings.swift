import Foundation

/// How we reach one partner over HTTP(S): TLS trust and client certificate, basic auth, proxy
/// and timeouts.
public struct TransportSettings: Sendable, Equatable {
    /// CA certificates the partner's TLS server certificate must chain to (default: system CAs).
    public var tlsCAFile: String?
    /// Exactly this TLS server certificate is accepted (pinning), whatever its issuer and host name.
    public var tlsPinnedCertificate: String?
    /// Check the server certificate's host name; may be turned off only with a pinned certificate.
    public var tlsVerifyHostname: Bool
    public var tlsClientCertificate: String?
    /// Defaults to the client certificate file (one PEM holding both).
    public var tlsClientPrivateKey: String?
    public var tlsClientPrivateKeyPassword: Secret?
    /// Basic-auth credentials we send with every request.
    public var basicAuth: BasicAuthCredentials?
    /// HTTP proxy (CONNECT for https URLs), `http://host:port`.
    public var proxy: URL?
    public var connectTimeout: Duration
    /// Longest silence while waiting for the partner's response (including a sync MDN).
    public var readTimeout: Duration

    public static let `default` = TransportSettings()

    public init(
        tlsCAFile: String? = nil, tlsPinnedCertificate: String? = nil, tlsVerifyHostname: Bool = true,
        tlsClientCertificate: String? = nil, tlsClientPrivateKey: String? = nil, tlsClientPrivateKeyPassword: Secret? = nil,
        basicAuth: BasicAuthCredentials? = nil, proxy: URL? = nil, connectTimeout: Duration = .seconds(30),
        readTimeout: Duration = .seconds(300)
    ) {
        self.tlsCAFile = tlsCAFile
        self.tlsPinnedCertificate = tlsPinnedCertificate
        self.tlsVerifyHostname = tlsVerifyHostname
        self.tlsClientCertificate = tlsClientCertificate
        self.tlsClientPrivateKey = tlsClientPrivateKey
        self.tlsClientPrivateKeyPassword = tlsClientPrivateKeyPassword
        self.basicAuth = basicAuth
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }
}
