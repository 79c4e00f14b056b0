/// Where and how the server listens.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind, e.g. "0.0.0.0", "::" or "127.0.0.1".
    public var host: String
    /// Port to bind; 0 picks a free one (returned by `HTTPServer.start()`).
    public var port: Int
    /// TLS settings; nil serves plain HTTP.
    public var tls: TLSServerSettings?
    public var limits: HTTPServerLimits
    /// Folder for spooled request bodies (created if missing).
    public var spoolDirectory: String
    /// While a handler runs longer than this, a `102 Processing` interim response is sent every
    /// interval (AS2-Reliability, requirements R-REL-3). Nil (the default) sends none.
    public var processingInterval: Duration?

    public init(
        host: String = "127.0.0.1", port: Int = 0, tls: TLSServerSettings? = nil,
        limits: HTTPServerLimits = HTTPServerLimits(), spoolDirectory: String, processingInterval: Duration? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.spoolDirectory = spoolDirectory
        self.processingInterval = processingInterval
    }
}
