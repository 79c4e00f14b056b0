import AS2Bytes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP(S) server: HTTP/1.1 with keep-alive, Content-Length and chunked bodies,
/// `Expect: 100-continue`, header and body limits, bodies spooled to disk, and graceful shutdown.
/// Knows nothing of AS2: the `HTTPRequestHandler` decides and answers.
public actor HTTPServer {
    private enum State {
        case initial
        case starting
        case running(serverChannel: any Channel, acceptLoop: Task<Void, Never>, port: Int)
        case stopping(acceptLoop: Task<Void, Never>)
        case stopped
    }

    public let configuration: HTTPServerConfiguration
    private let handler: any HTTPRequestHandler
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let threadPool: NIOThreadPool
    private let registry: ConnectionRegistry
    private var state = State.initial

    public init(
        configuration: HTTPServerConfiguration, handler: any HTTPRequestHandler, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.threadPool = NIOThreadPool.singleton
        self.registry = ConnectionRegistry(maxConnections: configuration.limits.maxConnections)
    }

    /// The bound port while running.
    public var port: Int? {
        if case .running(_, _, let port) = state { return port }
        return nil
    }

    /// Number of open connections (for diagnostics and tests).
    public var connectionCount: Int { registry.connectionCount }

    /// Binds and starts accepting. Returns the bound port (useful with port 0).
    public func start() async throws -> Int {
        guard case .initial = state else { throw HTTPServerError(.invalidState, "the server was already started") }
        state = .starting
        let configuration = self.configuration
        let logger = self.logger
        let serverChannel: NIOAsyncChannel<any Channel, Never>
        do {
            // Certificate files and the spool folder are disk work: done on the thread pool.
            let sslContext = try await threadPool.runIfActive { () throws -> NIOSSLContext? in
                do {
                    try FileSystem.createDirectory(configuration.spoolDirectory)
                } catch {
                    throw HTTPServerError(.spoolDirectory, "cannot create spool directory \(configuration.spoolDirectory): \(error)")
                }
                return try configuration.tls.map(Self.makeSSLContext)
            }
            let limits = configuration.limits
            do {
                serverChannel = try await ServerBootstrap(group: eventLoopGroup)
                    .serverChannelOption(.backlog, value: 256)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                    // Reading starts once the connection task wraps the channel (see HTTPServerConnection.run).
                    .childChannelOption(.autoRead, value: false)
                    .bind(host: configuration.host, port: configuration.port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try Self.configureConnection(channel, sslContext: sslContext, limits: limits, logger: logger)
                            return channel
                        }
                    }
            } catch {
                throw HTTPServerError(.bindFailed, "cannot listen on \(configuration.host):\(configuration.port): \(error)")
            }
        } catch {
            if case .starting = state { state = .initial }
            throw error
        }
        guard case .starting = state else {
            // shutdown() ran while binding.
            try? await serverChannel.channel.close()
            throw HTTPServerError(.invalidState, "the server was shut down while starting")
        }
        let port = serverChannel.channel.localAddress?.port ?? configuration.port
        let connection = HTTPServerConnection(
            handler: handler, registry: registry, limits: configuration.limits,
            spoolDirectory: configuration.spoolDirectory, processingInterval: configuration.processingInterval,
            threadPool: threadPool, isTLS: configuration.tls != nil, logger: logger
        )
        let registry = self.registry
        let acceptLoop = Task {
            await Self.acceptLoop(serverChannel, connection: connection, registry: registry, logger: logger)
        }
        state = .running(serverChannel: serverChannel.channel, acceptLoop: acceptLoop, port: port)
        logger.info(
            "listening",
            metadata: ["http.host": "\(configuration.host)", "http.port": "\(port)", "http.tls": "\(configuration.tls != nil)"]
        )
        return port
    }

    /// Stops accepting connections. Graceful: idle connections close now, requests in flight finish
    /// (their response says `Connection: close`). Not graceful: every connection closes now and
    /// running handlers are cancelled.
    /// Returns when all connections are closed. Calling it again with `gracefully: false` cuts a
    /// graceful shutdown short.
    public func shutdown(gracefully: Bool = true) async {
        switch state {
        case .initial, .stopped:
            state = .stopped
        case .starting:
            state = .stopped
        case .running(let serverChannel, let acceptLoop, _):
            state = .stopping(acceptLoop: acceptLoop)
            logger.info("shutting down", metadata: ["http.graceful": "\(gracefully)"])
            for channel in registry.beginShutdown(graceful: gracefully) { channel.close(promise: nil) }
            try? await serverChannel.close()
            if !gracefully { acceptLoop.cancel() }
            await acceptLoop.value
            state = .stopped
        case .stopping(let acceptLoop):
            if !gracefully {
                for channel in registry.beginShutdown(graceful: false) { channel.close(promise: nil) }
                acceptLoop.cancel()
            }
            await acceptLoop.value
        }
    }

    private static func acceptLoop(
        _ serverChannel: NIOAsyncChannel<any Channel, Never>, connection: HTTPServerConnection,
        registry: ConnectionRegistry, logger: Logger
    ) async {
        await withDiscardingTaskGroup { group in
            do {
                try await serverChannel.executeThenClose { inbound in
                    for try await child in inbound {
                        guard await registry.acquireSlot() else {
                            child.close(promise: nil)
                            continue
                        }
                        group.addTask {
                            await connection.run(child)
                            registry.releaseSlot()
                        }
                    }
                }
            } catch {
                logger.error("accepting connections failed", metadata: ["http.error": "\(error)"])
            }
        }
    }

    /// The pipeline of one connection: [TLS] → HTTP codec with header limits → timeouts → parse-error
    /// responses. `HTTPServerConnection.run` adds the async channel on top.
    ///
    /// The async channel is not created here: NIO drops initializer results that arrive after the
    /// server channel closed, and a dropped async channel traps. An unread plain channel is instead
    /// closed by its idle timer.
    private static func configureConnection(
        _ channel: any Channel, sslContext: NIOSSLContext?, limits: HTTPServerLimits, logger: Logger
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        if let sslContext {
            try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
        }
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = limits.maxHeaderFieldSize
        decoderLimits.maxHeaderListSize = limits.maxHeadersTotal
        decoderLimits.maxHeaderFieldCount = limits.maxHeaderCount
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: true,
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: decoderLimits
        )
        let timeouts = HTTPServerTimeoutHandler.Timeouts(
            idle: TimeAmount(limits.idleTimeout), body: TimeAmount(limits.bodyReadTimeout),
            write: TimeAmount(limits.responseWriteTimeout), linger: TimeAmount(limits.lingerTimeout)
        )
        try pipeline.addHandler(HTTPServerTimeoutHandler(timeouts: timeouts, logger: logger))
        try pipeline.addHandler(HTTPServerErrorResponder(logger: logger))
    }

    /// Loads the server certificate chain, key and client CA (blocking file reads).
    private static func makeSSLContext(_ tls: TLSServerSettings) throws -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChainPEMPath)
            guard !chain.isEmpty else {
                throw HTTPServerError(.tlsConfiguration, "no certificate in \(tls.certificateChainPEMPath)")
            }
            let key: NIOSSLPrivateKey
            if let password = tls.privateKeyPassword {
                key = try NIOSSLPrivateKey(file: tls.privateKeyPEMPath, format: .pem) { setPassphrase in
                    setPassphrase(Array(password.utf8))
                }
            } else {
                key = try NIOSSLPrivateKey(file: tls.privateKeyPEMPath, format: .pem)
            }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
            )
            configuration.minimumTLSVersion = .tlsv12
            switch tls.clientCertificate {
            case .none:
                configuration.certificateVerification = .none
            case .optional, .required:
                guard let clientCA = tls.clientCAPEMPath else {
                    throw HTTPServerError(.tlsConfiguration, "client certificates are enabled but no client CA file is set")
                }
                configuration.trustRoots = .file(clientCA)
                configuration.certificateVerification = tls.clientCertificate == .required ? .noHostnameVerification : .optionalVerification
            }
            return try NIOSSLContext(configuration: configuration)
        } catch let error as HTTPServerError {
            throw error
        } catch {
            throw HTTPServerError(.tlsConfiguration, "cannot load the TLS certificate or key: \(error)")
        }
    }
}
