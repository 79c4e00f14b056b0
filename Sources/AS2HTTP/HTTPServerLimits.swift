/// Bounds on what one client may make the server hold: header sizes, body sizes, time, connections.
/// Defaults follow requirements R-HTTP-6/7: stricter header limits than NIO's, bodies spooled to disk.
public struct HTTPServerLimits: Sendable {
    /// Longest single header field (name and value), in bytes. Over it: 431 and close.
    public var maxHeaderFieldSize: Int = 16 * 1024
    /// Largest total of all header fields of one request, in bytes. Over it: 431 and close.
    public var maxHeadersTotal: Int = 64 * 1024
    /// Most header fields in one request. Over it: 431 and close.
    public var maxHeaderCount: Int = 100
    /// Body limit used when a handler accepts without naming one (`.accept(maxBodySize: nil)`).
    public var defaultMaxBodySize: Int = 100 * 1024 * 1024
    /// Bodies larger than this are written to a temporary file in the spool directory.
    public var spoolThreshold: Int = 1024 * 1024
    /// Time allowed for a complete request head, from connection open or the end of the last response.
    public var idleTimeout: Duration = .seconds(60)
    /// Time allowed for a whole request body, from its head; cuts slow and stalled uploads.
    public var bodyReadTimeout: Duration = .seconds(600)
    /// Time allowed for the client to take a whole response, from its head.
    public var responseWriteTimeout: Duration = .seconds(600)
    /// After an early response (body rejected or over the limit), how long unread input is drained
    /// before the connection closes, so the client can read the response instead of a reset.
    public var lingerTimeout: Duration = .seconds(2)
    /// Most connections served at once; further clients wait in the accept backlog.
    public var maxConnections: Int = 256

    public init() {}
}
