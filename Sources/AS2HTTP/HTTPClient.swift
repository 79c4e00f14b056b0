import AS2Bytes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The HTTP(S) client, with keep-alive: connections are kept after a complete exchange and reused
/// (most recent first) for requests to the same scheme, host, port, proxy and TLS settings, one
/// exchange at a time, up to `maxIdlePerEndpoint` idle ones each, closed after `idleTimeout` idle.
/// A request that fails on a reused connection before any response arrived is sent once more on a
/// new connection. The body is streamed from its `ByteSource` with backpressure, interim 1xx
/// responses are skipped, the response body is spooled past a threshold.
/// Sends `Host` and `User-Agent: as2-agent/<version>`; never folds header lines.
public final class HTTPClient: Sendable {
    public let userAgent: String
    private let eventLoopGroup: any EventLoopGroup
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let pool: HTTPClientPool

    /// `version` is the agent's version, sent as `User-Agent: as2-agent/<version>`. Idle
    /// connections are kept at most `idleTimeout`, and at most `maxIdlePerEndpoint` per endpoint.
    public init(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, version: String, logger: Logger,
        idleTimeout: Duration = .seconds(15), maxIdlePerEndpoint: Int = 16
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.threadPool = NIOThreadPool.singleton
        self.logger = logger
        self.userAgent = "as2-agent/\(version)"
        self.pool = HTTPClientPool(maxIdlePerKey: max(0, maxIdlePerEndpoint), idleTimeout: TimeAmount(idleTimeout))
    }

    /// Open connections, idle or carrying a request.
    public var openConnectionCount: Int { pool.openCount }

    /// Closes idle connections and those of requests in flight (they fail) and refuses new requests.
    public func shutdown() async {
        for connection in pool.shutdown() {
            connection.close()
            try? await connection.channel.closeFuture.get()
        }
    }

    /// Closes the idle kept-alive connections, so that the next request to each partner opens
    /// a new one with the TLS settings and certificates in force now (after a reload: a replaced
    /// certificate or trust file is read again, not kept alive for up to `idleTimeout`).
    public func closeIdleConnections() {
        for connection in pool.takeIdle() { connection.close() }
    }

    /// Sends `request` and returns the final response (any status; 3xx are not followed). Throws
    /// `HTTPClientError`, or `CancellationError` when the calling task is cancelled mid-exchange.
    public func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        guard let url = HTTPURL(request.url) else {
            throw HTTPClientError(.invalidRequest, "not an http(s) URL: \(request.url)")
        }
        for (name, value) in request.headers where !HTTPHeaderFields.isValidField(name: name, value: value) {
            throw HTTPClientError(.invalidRequest, "header field \(name) is not a valid single-line HTTP field")
        }
        guard HTTPHeaderFields.isToken(request.method) else {
            throw HTTPClientError(.invalidRequest, "not an HTTP method: \(request.method)")
        }
        var proxy: HTTPURL?
        if let proxyString = request.proxy {
            guard let parsed = HTTPURL(proxyString), !parsed.isTLS else {
                throw HTTPClientError(.invalidRequest, "not an http:// proxy URL: \(proxyString)")
            }
            proxy = parsed
        }
        var logger = self.logger
        logger[metadataKey: "http.url"] = "\(url)"
        let key = HTTPClientConnectionKey(url: url, proxy: request.proxy, tls: request.tls)
        let exchange = HTTPClientExchange(
            request: request, url: url, viaPlainProxy: proxy != nil && !url.isTLS,
            proxyAuthorization: proxy.flatMap(Self.proxyAuthorization), userAgent: userAgent,
            threadPool: threadPool, logger: logger
        )
        var mayReuse = true
        do {
            while true {
                guard !pool.isShutDown else { throw HTTPClientError(.invalidRequest, "the HTTP client is shut down") }
                let connection: HTTPClientConnection
                let reused: Bool
                if mayReuse, let idle = pool.take(key) {
                    connection = idle
                    reused = true
                } else {
                    connection = try await connect(key: key, url: url, proxy: proxy, request: request)
                    reused = false
                }
                logger.debug(
                    reused ? "request on a reused connection" : "request on a new connection",
                    metadata: ["http.connection_exchanges": "\(connection.exchangeCount)"]
                )
                let outcome: (response: HTTPClientResponse, reusable: Bool)
                do {
                    outcome = try await connection.execute(exchange)
                } catch let failure as HTTPClientExchange.NoResponse {
                    guard reused else { throw failure.error }
                    logger.debug(
                        "the reused connection failed before any response; retrying on a new connection",
                        metadata: ["http.error": "\(failure.error.message)"]
                    )
                    mayReuse = false
                    continue
                }
                if outcome.reusable { pool.release(connection) }
                logger.info(
                    "response received",
                    metadata: ["http.status": "\(outcome.response.status)", "http.response_bytes": "\(outcome.response.body.count)"]
                )
                return outcome.response
            }
        } catch let error as HTTPClientError {
            logger.info("request failed", metadata: ["http.error_code": "\(error.code)", "http.error": "\(error.message)"])
            throw error
        }
    }

    /// A new connection for `key`, tracked by the pool (an HTTPClientError once the client is shut down).
    private func connect(key: HTTPClientConnectionKey, url: HTTPURL, proxy: HTTPURL?, request: HTTPClientRequest) async throws
        -> HTTPClientConnection
    {
        let sslContext: NIOSSLContext?
        if url.isTLS {
            let settings = request.tls
            sslContext = try await threadPool.runIfActive { try Self.makeSSLContext(settings) }
        } else {
            sslContext = nil
        }
        let idleGuard = HTTPClientIdleGuard()
        let channel = try await connect(url: url, proxy: proxy, sslContext: sslContext, idleGuard: idleGuard, request: request)
        let connection = HTTPClientConnection(channel: channel, key: key, idleGuard: idleGuard)
        guard pool.add(connection) else {
            throw HTTPClientError(.invalidRequest, "the HTTP client is shut down")
        }
        return connection
    }

    /// TCP connect (to the proxy if any), CONNECT tunnel for https through a proxy, TLS handshake,
    /// then the HTTP codec — all within `connectTimeout`.
    private func connect(
        url: HTTPURL, proxy: HTTPURL?, sslContext: NIOSSLContext?, idleGuard: HTTPClientIdleGuard, request: HTTPClientRequest
    ) async throws -> HTTPClientExchange.Channel {
        let endpoint = proxy ?? url
        let timeout = TimeAmount(request.connectTimeout)
        let giveUpAt = NIODeadline.now() + timeout
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(timeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw HTTPClientError(.connectFailed, "cannot connect to \(endpoint.authorityWithPort): \(Self.describe(error))")
        }
        let timedOut = Mutex(false)
        let deadline = channel.eventLoop.scheduleTask(deadline: giveUpAt) {
            timedOut.withLock { $0 = true }
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            if proxy != nil, url.isTLS {
                let established = channel.eventLoop.makePromise(of: Void.self)
                let authorization = proxy.flatMap(Self.proxyAuthorization)
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(
                        ProxyConnectHandler(target: url.authorityWithPort, proxyAuthorization: authorization, established: established)
                    )
                }.get()
                do {
                    try await established.futureResult.get()
                } catch {
                    if timedOut.withLock({ $0 }) { throw error }
                    throw HTTPClientError(.connectFailed, "cannot open a tunnel to \(url.authorityWithPort): \(error)")
                }
            }
            // TLS, the HTTP codec and the async channel go in together, so that an alert arriving
            // right after the handshake still reaches the exchange as an error.
            let handshake = sslContext.map { _ in channel.eventLoop.makePromise(of: Void.self) }
            let pinned = request.tls.pinnedCertificateDER
            let serverName = url.hostIsIPAddress ? nil : url.host
            let connection = try await channel.eventLoop.submit {
                let pipeline = channel.pipeline.syncOperations
                if let sslContext, let handshake {
                    let tlsHandler: NIOSSLClientHandler
                    if let pinned {
                        tlsHandler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName) { chain, result in
                            let leaf = chain.first.flatMap { try? $0.toDERBytes() }
                            result.succeed(leaf == pinned ? .certificateVerified : .failed)
                        }
                    } else {
                        tlsHandler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                    }
                    try pipeline.addHandler(tlsHandler)
                    try pipeline.addHandler(TLSHandshakeHandler(completed: handshake))
                }
                var limits = NIOHTTPDecoderLimitConfiguration()
                limits.maxHeaderFieldSize = 64 * 1024
                limits.maxHeaderListSize = 256 * 1024
                limits.maxHeaderFieldCount = 500
                try pipeline.addHandler(HTTPRequestEncoder())
                try pipeline.addHandler(
                    ByteToMessageHandler(
                        HTTPResponseDecoder(
                            leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .forward, limitConfiguration: limits
                        )
                    )
                )
                try pipeline.addHandler(NIOHTTPRequestHeadersValidator())
                try pipeline.addHandler(idleGuard)
                return try HTTPClientExchange.Channel(wrappingChannelSynchronously: channel)
            }.get()
            if let handshake {
                do {
                    try await handshake.futureResult.get()
                } catch {
                    try? await connection.executeThenClose { _, _ in }
                    if timedOut.withLock({ $0 }) { throw error }
                    throw HTTPClientError(.tlsFailure, "TLS handshake with \(url.authorityWithPort) failed: \(Self.describe(error))")
                }
            }
            return connection
        } catch let error as HTTPClientError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            if timedOut.withLock({ $0 }) {
                throw HTTPClientError(.connectFailed, "connecting to \(url.authorityWithPort) timed out after \(request.connectTimeout)")
            }
            throw HTTPClientError(.connectFailed, "cannot set up the connection to \(url.authorityWithPort): \(Self.describe(error))")
        }
    }

    private static func proxyAuthorization(_ proxy: HTTPURL) -> String? {
        proxy.user.map { Base64.basicCredentials(user: $0, password: proxy.password ?? "") }
    }

    /// The TLS context for `settings` (reads PEM files: call on the thread pool).
    static func makeSSLContext(_ settings: TLSClientSettings) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = settings.minimumVersion == .tls13 ? .tlsv13 : .tlsv12
        if let roots = settings.trustRootsPEMFile { configuration.trustRoots = .file(roots) }
        configuration.certificateVerification =
            settings.pinnedCertificateDER != nil || !settings.verifyHostname ? .noHostnameVerification : .fullVerification
        do {
            if let certificateFile = settings.clientCertificatePEMFile {
                guard let keyFile = settings.clientKeyPEMFile else {
                    throw HTTPClientError(.tlsFailure, "a client certificate is set without its key file")
                }
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
                let key: NIOSSLPrivateKey
                if let password = settings.clientKeyPassword {
                    key = try NIOSSLPrivateKey(file: keyFile, format: .pem) { setPassphrase in setPassphrase(Array(password.utf8)) }
                } else {
                    key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
                }
                configuration.privateKey = .privateKey(key)
            }
            return try NIOSSLContext(configuration: configuration)
        } catch let error as HTTPClientError {
            throw error
        } catch {
            throw HTTPClientError(.tlsFailure, "cannot load the TLS settings: \(describe(error))")
        }
    }

    /// A readable account of a NIO, TLS or system error.
    static func describe(_ error: Error) -> String {
        if let error = error as? NIOConnectionError {
            let causes = error.connectionErrors.map { "\($0.target): \($0.error)" }
            if let dns = error.dnsAError ?? error.dnsAAAAError, causes.isEmpty { return "DNS lookup failed: \(dns)" }
            return causes.isEmpty ? "\(error)" : causes.joined(separator: "; ")
        }
        return "\(error)"
    }
}
