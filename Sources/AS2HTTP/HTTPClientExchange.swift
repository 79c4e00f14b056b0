import AS2Bytes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One request and its response over an established connection. The body is sent while the
/// response is read, so an early final response (413, 401…) ends the exchange without sending the
/// rest; `100 Continue` and `102 Processing` heads are skipped. The connection stays open for
/// another exchange only when both messages were complete and the response allows keep-alive.
struct HTTPClientExchange: Sendable {
    typealias Channel = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
    typealias Inbound = NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

    /// The connection failed before any part of a response arrived (closed, reset, broken pipe):
    /// on a kept-alive connection the server may have closed it while idle, so the request can be
    /// sent again on a new one.
    struct NoResponse: Error {
        let error: HTTPClientError
    }

    let request: HTTPClientRequest
    let url: HTTPURL
    /// Plain http through a proxy: the target is the absolute URL.
    let viaPlainProxy: Bool
    let proxyAuthorization: String?
    let userAgent: String
    let threadPool: NIOThreadPool
    let logger: Logger

    /// Runs the exchange on the connection's response stream and request writer. Returns the
    /// response and whether the connection may carry another exchange; when it may not, the
    /// channel is being closed. Throws `HTTPClientError`, `NoResponse` or `CancellationError`.
    func run(inbound: inout Inbound, outbound: Outbound, channel: any NIOCore.Channel) async throws -> (
        response: HTTPClientResponse, reusable: Bool
    ) {
        let progress = ExchangeProgress(channel: channel)
        do {
            // A failed write is recorded, not thrown: the inbound side then says why (a TLS
            // alert, an early response, or just a closed connection).
            var headSent = true
            do {
                try await outbound.write(.head(makeHead()))
            } catch {
                progress.recordSendFailure(error)
                headSent = false
                channel.close(promise: nil)
            }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                if headSent { group.addTask { await sendBody(outbound: outbound, progress: progress) } }
                var reusable = false
                defer {
                    progress.finish()
                    if !reusable {
                        group.cancelAll()
                        channel.close(promise: nil)
                    }
                }
                let (response, keepAlive) = try await readResponse(inbound: &inbound, progress: progress)
                // The response can only be complete after the server read the end of the body, so
                // a sender still short of writing it means an early response: the connection closes.
                if keepAlive, progress.bodyEnding {
                    progress.arm(TimeAmount(request.readTimeout))
                    try await group.waitForAll()
                    reusable = progress.bodySent && channel.isActive && !Task.isCancelled
                }
                return (response, reusable)
            }
        } catch let error as HTTPClientError {
            progress.finish()
            throw noResponseIfNothingArrived(error, progress: progress)
        } catch let error as CancellationError {
            progress.finish()
            throw error
        } catch {
            progress.finish()
            throw noResponseIfNothingArrived(classify(error, progress: progress), progress: progress)
        }
    }

    private func noResponseIfNothingArrived(_ error: HTTPClientError, progress: ExchangeProgress) -> any Error {
        guard !progress.responseStarted, !progress.timedOut, !Task.isCancelled else { return error }
        switch error.code {
        case .connectionClosedEarly, .tlsFailure: return NoResponse(error: error)
        default: return error
        }
    }

    private func makeHead() -> NIOHTTP1.HTTPRequestHead {
        var headers = HTTPHeaders()
        let given = request.headers
        if !HTTPHeaderFields.contains("host", in: given) { headers.add(name: "Host", value: url.authority) }
        if !HTTPHeaderFields.contains("user-agent", in: given) { headers.add(name: "User-Agent", value: userAgent) }
        for (name, value) in given {
            let lower = name.lowercased()
            if lower == "content-length" || lower == "transfer-encoding" { continue }
            headers.add(name: name, value: value)
        }
        if let auth = request.basicAuth, !HTTPHeaderFields.contains("authorization", in: given) {
            headers.add(name: "Authorization", value: Base64.basicCredentials(user: auth.user, password: auth.password))
        }
        if viaPlainProxy, let proxyAuthorization { headers.add(name: "Proxy-Authorization", value: proxyAuthorization) }
        if request.useChunkedEncoding {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        } else if request.body.count > 0 || !["GET", "HEAD", "DELETE", "OPTIONS"].contains(request.method.uppercased()) {
            headers.add(name: "Content-Length", value: String(request.body.count))
        }
        let target = viaPlainProxy ? url.description : url.target
        return NIOHTTP1.HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: target, headers: headers)
    }

    private var expectsContinue: Bool {
        HTTPHeaderFields.values(of: "expect", in: request.headers).contains { HTTPHeaderFields.listContains($0, token: "100-continue") }
    }

    /// Streams the body (after `100 Continue` if asked for), then starts the read timeout. Each
    /// write waits for channel writability; a server that stops taking the body for `readTimeout`
    /// times out. Errors end up in `progress`; the reader decides what the caller sees.
    private func sendBody(outbound: Outbound, progress: ExchangeProgress) async {
        let readTimeout = TimeAmount(request.readTimeout)
        if expectsContinue {
            await progress.waitForContinue(timeout: request.expectContinueTimeout)
            if progress.finalResponseArrived { return }
        }
        do {
            var chunks = ByteSourceChunks(source: request.body, threadPool: threadPool)
            while true {
                try Task.checkCancellation()
                progress.arm(readTimeout)
                guard let chunk = try await chunks.next() else { break }
                try await outbound.write(.body(.byteBuffer(chunk)))
            }
            progress.bodyEndWriting()
            try await outbound.write(.end(nil))
            progress.bodyEndWritten()
            progress.arm(readTimeout)
        } catch {
            progress.recordSendFailure(error)
        }
    }

    /// The final response and whether it lets the connection stay open (HTTP/1.1 without
    /// `Connection: close`, or HTTP/1.0 with `keep-alive`).
    private func readResponse(inbound: inout Inbound, progress: ExchangeProgress) async throws -> (HTTPClientResponse, Bool) {
        var head: HTTPResponseHead?
        var collector: BodyCollector?
        while let part = try await inbound.next() {
            progress.responsePartReceived()
            switch part {
            case .head(let interim) where interim.status.code < 200:
                if interim.status == .continue { progress.continueReceived() }
                logger.debug("interim response skipped", metadata: ["http.status": "\(interim.status.code)"])
            case .head(let final):
                progress.finalResponseReceived()
                if let declared = final.headers["content-length"].first.flatMap({ Int($0) }), declared > request.maxResponseBodySize {
                    throw HTTPClientError(
                        .responseTooLarge, "response body of \(declared) bytes exceeds the limit of \(request.maxResponseBodySize) bytes"
                    )
                }
                head = final
                collector = BodyCollector(
                    limit: request.maxResponseBodySize, spoolThreshold: request.responseSpoolThreshold,
                    spoolDirectory: request.responseSpoolDirectory, threadPool: threadPool,
                    expectedLength: final.headers["content-length"].first.flatMap { Int($0) }
                )
            case .body(let buffer):
                do {
                    try await collector?.append(buffer)
                } catch is BodyCollector.TooLarge {
                    throw HTTPClientError(.responseTooLarge, "response body exceeds the limit of \(request.maxResponseBodySize) bytes")
                } catch let error as BodyCollector.SpoolFailure {
                    throw spoolFailed(error)
                }
            case .end:
                progress.disarm()
                guard let head, var collector else {
                    throw HTTPClientError(.invalidResponse, "response ended without a head")
                }
                let body: any ByteSource
                do {
                    body = try await collector.finish()
                } catch let error as BodyCollector.SpoolFailure {
                    throw spoolFailed(error)
                }
                let response = HTTPClientResponse(
                    status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: body
                )
                return (response, head.isKeepAlive)
            }
        }
        if progress.timedOut {
            throw HTTPClientError(.timeout, "no complete response from \(url.authorityWithPort) within \(request.readTimeout)")
        }
        try Task.checkCancellation()
        let detail = progress.sendFailure.map { " (sending failed: \($0))" } ?? ""
        throw HTTPClientError(.connectionClosedEarly, "the connection closed before the response was complete\(detail)")
    }

    private func spoolFailed(_ error: BodyCollector.SpoolFailure) -> HTTPClientError {
        HTTPClientError(.spoolFailed, "cannot store the response body in \(request.responseSpoolDirectory): \(error.underlying)")
    }

    private func classify(_ error: Error, progress: ExchangeProgress) -> HTTPClientError {
        if progress.timedOut {
            return HTTPClientError(.timeout, "no complete response from \(url.authorityWithPort) within \(request.readTimeout)")
        }
        switch error {
        case is HTTPParserError, is NIOHTTPDecoderError:
            return HTTPClientError(.invalidResponse, "the response is not valid HTTP: \(error)")
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            return HTTPClientError(.tlsFailure, "TLS failure during the exchange: \(error)")
        default:
            return HTTPClientError(.connectionClosedEarly, "the connection failed before the response was complete: \(error)")
        }
    }
}
