/// What a kept-alive connection is bound to: the URL's scheme, host and port, the proxy, and for
/// https every TLS setting, so that a connection made with one partner's trust anchors, pin or
/// client certificate never carries another partner's request.
struct HTTPClientConnectionKey: Hashable, Sendable {
    let isTLS: Bool
    let host: String
    let port: Int
    let proxy: String?
    /// Plain http ignores the TLS settings: one key whatever they are.
    let tls: TLSClientSettings?

    init(url: HTTPURL, proxy: String?, tls: TLSClientSettings) {
        isTLS = url.isTLS
        host = url.host.lowercased()
        port = url.port
        self.proxy = proxy
        self.tls = url.isTLS ? tls : nil
    }
}
