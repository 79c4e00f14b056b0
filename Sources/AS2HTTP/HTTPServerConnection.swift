import AS2Bytes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Serves the requests of one connection, one after another: decide on the head, answer
/// `Expect: 100-continue`, collect the body within its limit, run the handler off the event loop
/// (with optional `102 Processing` heartbeats) and write the response with Content-Length.
struct HTTPServerConnection: Sendable {
    typealias Channel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    typealias Inbound = NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    let handler: any HTTPRequestHandler
    let registry: ConnectionRegistry
    let limits: HTTPServerLimits
    let spoolDirectory: String
    let processingInterval: Duration?
    let threadPool: NIOThreadPool
    let isTLS: Bool
    let logger: Logger

    /// Serves `channel` (configured by `HTTPServer`, not yet reading) until it closes.
    func run(_ channel: any NIOCore.Channel) async {
        guard let id = registry.register(channel) else {
            channel.close(promise: nil)
            return
        }
        let connection: Channel
        do {
            connection = try await channel.eventLoop.submit {
                let connection = try Channel(
                    wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)
                )
                try channel.syncOptions?.setOption(.autoRead, value: true)
                return connection
            }.get()
        } catch {
            registry.remove(id)
            channel.close(promise: nil)
            return
        }
        defer { registry.remove(id) }
        var logger = self.logger
        let remote = channel.remoteAddress?.description ?? "unknown"
        logger[metadataKey: "http.remote"] = "\(remote)"
        do {
            try await connection.executeThenClose { inbound, outbound in
                var parts = inbound.makeAsyncIterator()
                var clientCertificate: [UInt8]?
                var certificateFetched = false
                while let part = try await parts.next() {
                    guard case .head(let nioHead) = part else { return }
                    guard registry.beginRequest(id) else { return }
                    if !certificateFetched {
                        clientCertificate = await peerCertificateDER(channel)
                        certificateFetched = true
                    }
                    let head = HTTPRequestHead(
                        method: nioHead.method.rawValue, uri: nioHead.uri,
                        headers: nioHead.headers.map { ($0.name, $0.value) }, remoteAddress: remote,
                        clientCertificateDER: clientCertificate, isTLS: isTLS
                    )
                    let keepAlive = try await serve(head: head, nioHead: nioHead, parts: &parts, outbound: outbound, logger: logger)
                    guard registry.endRequest(id), keepAlive else { return }
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["http.error": "\(error)"])
        }
    }

    /// Serves one request whose head has arrived; returns whether the connection stays open.
    private func serve(
        head: HTTPRequestHead, nioHead: NIOHTTP1.HTTPRequestHead, parts: inout Inbound, outbound: Outbound, logger: Logger
    ) async throws -> Bool {
        var logger = logger
        logger[metadataKey: "http.method"] = "\(head.method)"
        logger[metadataKey: "http.path"] = "\(head.path)"
        let framing = RequestFraming(nioHead)

        let maxBodySize: Int
        switch await handler.decide(head: head) {
        case .reject(let response):
            try await respondEarly(response, parts: &parts, outbound: outbound, logger: logger)
            return false
        case .accept(let limit):
            maxBodySize = limit ?? limits.defaultMaxBodySize
        }
        if let declared = framing.contentLength, declared > maxBodySize {
            let response = HTTPResponse.text(413, "request body of \(declared) bytes exceeds the limit of \(maxBodySize) bytes\r\n")
            try await respondEarly(response, parts: &parts, outbound: outbound, logger: logger)
            return false
        }
        if framing.expectsContinue {
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .continue)))
        }

        var collector = BodyCollector(
            limit: maxBodySize, spoolThreshold: limits.spoolThreshold, spoolDirectory: spoolDirectory,
            threadPool: threadPool, expectedLength: framing.contentLength
        )
        let body: any ByteSource
        do {
            reading: while true {
                switch try await parts.next() {
                case .body(let buffer):
                    try await collector.append(buffer)
                case .end:
                    break reading
                case .head, nil:
                    logger.info("request body incomplete: connection closed", metadata: ["http.received_bytes": "\(collector.count)"])
                    return false
                }
            }
            body = try await collector.finish()
        } catch let error as BodyCollector.TooLarge {
            let response = HTTPResponse.text(413, "request body exceeds the limit of \(error.limit) bytes\r\n")
            try await respondEarly(response, parts: &parts, outbound: outbound, logger: logger)
            return false
        } catch let error as BodyCollector.SpoolFailure {
            // Storage trouble is temporary from the client's point of view (requirements §1.7).
            logger.error("cannot spool request body", metadata: ["http.error": "\(error.underlying)"])
            let response = HTTPResponse.text(503, "the request body cannot be stored right now\r\n", headers: [("Retry-After", "60")])
            try await respondEarly(response, parts: &parts, outbound: outbound, logger: logger)
            return false
        }
        let response = await runHandler(head: head, body: body, outbound: outbound, canSendInterim: framing.allowsInterimResponses)
        let close = response.closeConnection || !framing.keepAlive || registry.isShuttingDown
        do {
            try await write(response, close: close, keepAliveHeader: framing.needsKeepAliveHeader, outbound: outbound)
        } catch {
            logger.info(
                "response not delivered: connection failed",
                metadata: ["http.status": "\(response.status)", "http.error": "\(error)"]
            )
            throw error
        }
        logger.info(
            "request served",
            metadata: [
                "http.status": "\(response.status)", "http.request_bytes": "\(body.count)",
                "http.response_bytes": "\(response.body?.count ?? 0)",
            ]
        )
        return !close
    }

    /// Answers before (or instead of) reading the body, then closes: the output is half-closed and
    /// remaining input is drained until the client closes or the linger timeout ends the connection.
    private func respondEarly(_ response: HTTPResponse, parts: inout Inbound, outbound: Outbound, logger: Logger) async throws {
        try await write(response, close: true, keepAliveHeader: false, outbound: outbound)
        logger.info("request rejected before its body", metadata: ["http.status": "\(response.status)"])
        outbound.finish()
        while try await parts.next() != nil {}
    }

    /// Runs the handler in its own task; with a processing interval, writes `102 Processing` every
    /// interval until the handler returns.
    private func runHandler(head: HTTPRequestHead, body: any ByteSource, outbound: Outbound, canSendInterim: Bool) async -> HTTPResponse {
        let handler = self.handler
        guard let interval = processingInterval, canSendInterim else {
            return await handler.handle(head: head, body: body)
        }
        return await withTaskGroup(of: HTTPResponse?.self) { group in
            group.addTask { await handler.handle(head: head, body: body) }
            group.addTask {
                while true {
                    do { try await Task.sleep(for: interval) } catch { return nil }
                    do {
                        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .processing)))
                    } catch { return nil }
                }
            }
            var response: HTTPResponse?
            while let result = await group.next() {
                if let result {
                    response = result
                    group.cancelAll()
                }
            }
            // The handler's task always yields a response; the heartbeat's never does.
            return response ?? HTTPResponse(status: 500, closeConnection: true)
        }
    }

    /// Writes `response` framed with Content-Length, streaming its body from the source. A 1xx
    /// status is no final response (sent as 500); 204 and 304 carry no body (RFC 9110 §6.4.1).
    private func write(_ response: HTTPResponse, close: Bool, keepAliveHeader: Bool, outbound: Outbound) async throws {
        var response = response
        if response.status < 200 || response.status > 999 {
            logger.error("handler returned an invalid final status", metadata: ["http.status": "\(response.status)"])
            response = HTTPResponse(status: 500)
        }
        let mayHaveBody = response.status != 204 && response.status != 304
        if !mayHaveBody { response.body = nil }
        var headers = HTTPHeaders()
        for (name, value) in response.headers {
            let lower = name.lowercased()
            if lower == "content-length" || lower == "transfer-encoding" || lower == "connection" { continue }
            headers.add(name: name, value: value)
        }
        if !headers.contains(name: "date") { headers.add(name: "Date", value: HTTPDate.now()) }
        if mayHaveBody { headers.add(name: "Content-Length", value: String(response.body?.count ?? 0)) }
        if close {
            headers.add(name: "Connection", value: "close")
        } else if keepAliveHeader {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let status = HTTPResponseStatus(statusCode: response.status)
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        if let body = response.body {
            var chunks = ByteSourceChunks(source: body, threadPool: threadPool)
            while let chunk = try await chunks.next() {
                try await outbound.write(.body(.byteBuffer(chunk)))
            }
        }
        try await outbound.write(.end(nil))
    }

    /// DER of the TLS client's leaf certificate, read on the event loop once per connection.
    private func peerCertificateDER(_ channel: any NIOCore.Channel) async -> [UInt8]? {
        guard isTLS else { return nil }
        return try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate?.toDERBytes()
        }.get()
    }
}
