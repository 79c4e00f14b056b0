/// What the server does with a request body, decided from the head alone (before a `100 Continue`).
public enum HTTPBodyDecision: Sendable {
    /// Read the body, refusing more than `maxBodySize` bytes (nil: `HTTPServerLimits.defaultMaxBodySize`).
    /// A declared Content-Length above it is answered 413 without reading the body.
    case accept(maxBodySize: Int?)
    /// Answer with `response` without reading the body, then close the connection.
    case reject(HTTPResponse)
}
