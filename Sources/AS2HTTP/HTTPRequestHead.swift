/// A request as received, before its body: method, target, header fields in their exact order and
/// spelling, and who sent it.
public struct HTTPRequestHead: Sendable {
    /// Method as sent, e.g. "POST".
    public var method: String
    /// Request target as sent (path and query, or an absolute URL through a proxy).
    public var uri: String
    /// Header fields in received order, names and values as sent (obs-fold already replaced by the parser).
    public var headers: [(String, String)]
    /// Peer address, e.g. "[IPv4]127.0.0.1/127.0.0.1:50412".
    public var remoteAddress: String
    /// DER of the client's TLS certificate (the leaf), when one was presented and verified.
    public var clientCertificateDER: [UInt8]?
    /// True when the request arrived over TLS.
    public var isTLS: Bool

    public init(
        method: String, uri: String, headers: [(String, String)], remoteAddress: String,
        clientCertificateDER: [UInt8]? = nil, isTLS: Bool = false
    ) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.clientCertificateDER = clientCertificateDER
        self.isTLS = isTLS
    }

    /// The path of the target, without query.
    public var path: String {
        var target = Substring(uri)
        if let scheme = target.firstRange(of: "://") {
            let afterScheme = target[scheme.upperBound...]
            target = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        if let query = target.firstIndex(where: { $0 == "?" || $0 == "#" }) { target = target[..<query] }
        return String(target)
    }

    /// Values of the header fields named `name` (case-insensitive, R-HTTP-11), in order.
    public func values(of name: String) -> [String] { HTTPHeaderFields.values(of: name, in: headers) }

    /// The first value of the header field `name` (case-insensitive).
    public func value(of name: String) -> String? { values(of: name).first }
}
