import Foundation

/// `[http]`: the AS2 endpoint (plain HTTP and/or HTTPS), the URL partners reach us at, the admin
/// listener, and the request limits the server enforces before any AS2 processing.
public struct HTTPSettings: Sendable, Equatable {
    /// Plain-HTTP listener; nil when `listen = ""` (HTTPS only).
    public var listen: ListenAddress?
    /// Path of the AS2 endpoint; MDNs are accepted here too.
    public var path: String
    /// Second path accepting asynchronous MDNs.
    public var mdnPath: String
    /// HTTPS listener; nil unless `tls_listen` is set.
    public var tls: HTTPSListenerSettings?
    /// The URL partners reach our AS2 endpoint at (through NAT or a reverse proxy).
    public var publicURL: URL?
    /// Explicit `async_mdn_url`; usually nil and derived from `publicURL` (see `asyncMDNReturnURL`).
    public var asyncMDNURL: URL?
    /// `/healthz` and `/metrics`; nil when `admin_listen = ""`.
    public var adminListen: ListenAddress?
    /// Longest single header line (name + value) in bytes.
    public var maxHeaderSize: Int
    /// Longest header block in bytes.
    public var maxHeadersTotal: Int
    public var maxHeaderCount: Int
    /// Bodies up to this size stay in memory; larger ones are spooled to a temporary file.
    public var spoolThreshold: Int
    /// Time allowed for a whole request body, from its head (cuts slow and stalled uploads).
    public var requestTimeout: Duration
    /// Time allowed for a complete request head, from connection open or the previous response.
    public var idleTimeout: Duration
    /// Most connections served at once; further clients wait in the accept backlog.
    public var maxConnections: Int

    public static let `default` = HTTPSettings()

    public init(
        listen: ListenAddress? = ListenAddress(host: "0.0.0.0", port: 4080), path: String = "/as2",
        mdnPath: String = "/as2/mdn", tls: HTTPSListenerSettings? = nil, publicURL: URL? = nil, asyncMDNURL: URL? = nil,
        adminListen: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 4081), maxHeaderSize: Int = 16 << 10,
        maxHeadersTotal: Int = 64 << 10, maxHeaderCount: Int = 100, spoolThreshold: Int = 1 << 20,
        requestTimeout: Duration = .seconds(600), idleTimeout: Duration = .seconds(60), maxConnections: Int = 256
    ) {
        self.listen = listen
        self.path = path
        self.mdnPath = mdnPath
        self.tls = tls
        self.publicURL = publicURL
        self.asyncMDNURL = asyncMDNURL
        self.adminListen = adminListen
        self.maxHeaderSize = maxHeaderSize
        self.maxHeadersTotal = maxHeadersTotal
        self.maxHeaderCount = maxHeaderCount
        self.spoolThreshold = spoolThreshold
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// The URL we ask partners to POST asynchronous MDNs to (Receipt-Delivery-Option): `async_mdn_url`
    /// if set; else `public_url` with its trailing `path` replaced by `mdn_path` (so a reverse-proxy
    /// prefix is kept), or its origin + `mdn_path`. Nil without either key.
    public var asyncMDNReturnURL: URL? {
        if let asyncMDNURL { return asyncMDNURL }
        guard let publicURL, var components = URLComponents(url: publicURL, resolvingAgainstBaseURL: false) else {
            return nil
        }
        let publicPath = components.path
        if publicPath.hasSuffix(path) {
            components.path = String(publicPath.dropLast(path.count)) + mdnPath
        } else {
            components.path = mdnPath
        }
        components.query = nil
        components.fragment = nil
        return components.url
    }
}
