import AS2Config
import AS2HTTP
import AS2Journal
import Foundation
import Logging
import UnixSignals

/// The running agent (`as2-agent run`): the AS2 endpoint, the admin endpoint, the folder watcher,
/// the outbound service and the scheduler, wired together. SIGHUP reloads the configuration,
/// SIGTERM/SIGINT stop intake and let in-flight work finish.
public final class Agent: Sendable {
    public let context: AgentContext
    public let readiness = Readiness()
    let outbound: OutboundService
    let dispatcher: AsyncMDNDispatcher
    let receipts: AsyncReceiptService
    let scheduler: Scheduler
    let folders: FolderService
    let configurationPath: String
    let watcherExecutable: String?

    /// Loads the configuration and opens the journal; nothing listens yet.
    public convenience init(configurationPath: String, version: String, logger: Logger, watcherExecutable: String? = nil) throws {
        try self.init(
            configuration: try ConfigurationLoader.load(path: configurationPath), configurationPath: configurationPath,
            version: version, logger: logger, watcherExecutable: watcherExecutable)
    }

    /// Starts from a configuration already decoded from `configurationPath` (by check-config's
    /// pass in `as2-agent run`, whose `certificates` are reused); SIGHUP re-reads the file.
    public init(
        configuration: AgentConfiguration, configurationPath: String, version: String, logger: Logger,
        watcherExecutable: String? = nil, certificates: CertificateFileCache = CertificateFileCache()
    ) throws {
        let snapshot = try AgentSnapshot(configuration: configuration, certificates: certificates)
        let directories = AgentDirectories(state: configuration.agent.stateDirectory)
        try directories.create()
        let stale = directories.removeStaleTemporaryFiles()
        let journal = try Journal.open(path: directories.journal)
        let context = AgentContext(
            snapshot: snapshot, journal: journal, client: HTTPClient(version: version, logger: logger),
            directories: directories, metrics: AgentMetrics(), logger: logger, version: version
        )
        self.context = context
        self.configurationPath = configurationPath
        self.watcherExecutable = watcherExecutable
        outbound = OutboundService(context: context)
        dispatcher = AsyncMDNDispatcher(context: context)
        receipts = AsyncReceiptService(context: context, outbound: outbound)
        scheduler = Scheduler(context: context, outbound: outbound, dispatcher: dispatcher)
        folders = FolderService(context: context, outbound: outbound, readiness: readiness, watcherExecutable: watcherExecutable)
        if !stale.isEmpty {
            logger.notice("removed temp files an earlier run left behind", metadata: ["count": "\(stale.count)", "first": "\(stale[0])"])
        }
    }

    /// Runs until SIGTERM/SIGINT (or the task is cancelled). Returns after a graceful drain.
    public func run() async throws {
        let logger = context.logger
        let snapshot = context.snapshot
        let http = snapshot.configuration.http
        var servers: [HTTPServer] = []
        let inbound = InboundService(context: context, asyncReceipts: receipts)
        var limits = HTTPServerLimits()
        limits.maxHeaderFieldSize = http.maxHeaderSize
        limits.maxHeadersTotal = http.maxHeadersTotal
        limits.maxHeaderCount = http.maxHeaderCount
        limits.spoolThreshold = http.spoolThreshold
        limits.bodyReadTimeout = http.requestTimeout
        limits.idleTimeout = http.idleTimeout
        limits.maxConnections = http.maxConnections
        if let listen = http.listen {
            servers.append(HTTPServer(
                configuration: HTTPServerConfiguration(host: listen.host, port: listen.port, limits: limits, spoolDirectory: context.directories.httpSpool),
                handler: inbound, logger: logger
            ))
        }
        if let tls = http.tls {
            servers.append(HTTPServer(
                configuration: HTTPServerConfiguration(
                    host: tls.listen.host, port: tls.listen.port,
                    tls: AS2HTTP.TLSServerSettings(
                        certificateChainPEMPath: tls.certificate, privateKeyPEMPath: tls.privateKey,
                        privateKeyPassword: tls.privateKeyPassword?.value, clientCAPEMPath: tls.clientCAFile,
                        clientCertificate: tls.clientCAFile == nil ? .none : .optional
                    ),
                    limits: limits, spoolDirectory: context.directories.httpSpool
                ),
                handler: inbound, logger: logger
            ))
        }
        var admin: HTTPServer?
        if let listen = http.adminListen {
            admin = HTTPServer(
                configuration: HTTPServerConfiguration(host: listen.host, port: listen.port, spoolDirectory: context.directories.httpSpool),
                handler: AdminHandler(metrics: context.metrics, readiness: readiness), logger: logger
            )
        }
        _ = try await context.journal.releaseStaleInbound()
        for (index, server) in servers.enumerated() {
            let port = try await server.start()
            let tls = http.tls != nil && index == servers.count - 1
            logger.info("AS2 endpoint listening", metadata: ["port": "\(port)", "tls": "\(tls)"])
        }
        if let admin {
            let port = try await admin.start()
            logger.info("admin endpoint listening", metadata: ["port": "\(port)"])
        }
        updateCertificateMetrics()
        context.metrics.set("as2_up", [:], 1)

        // One task reads the signals for the agent's whole life: SIGHUP reloads, SIGTERM/SIGINT go
        // to `stops` (the first stops intake, a second one ends the drain).
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)
        let (stops, stopSignal) = AsyncStream<UnixSignal>.makeStream()
        let signalReader = Task {
            for await signal in signals {
                if signal == .sighup {
                    await self.reload()
                } else {
                    stopSignal.yield(signal)
                }
            }
        }
        defer { signalReader.cancel() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await self.folders.run() } catch { logger.critical("folder watcher stopped", metadata: ["error": "\(error)"]) }
            }
            group.addTask { await self.scheduler.run() }
            group.addTask { await self.resumeInterrupted() }
            for await signal in stops {
                logger.info("stopping: no new work is accepted; in-flight work finishes", metadata: ["signal": "\(signal)"])
                break
            }
            readiness.set(false)
            context.metrics.set("as2_up", [:], 0)
            for server in servers { await server.shutdown(gracefully: true) }
            group.cancelAll()
        }
        await drainSends(until: stops)
        if let admin { await admin.shutdown(gracefully: false) }
        await context.client.shutdown()
        try await context.journal.close()
        logger.info("stopped")
    }

    /// How long SIGTERM waits for sends in flight (systemd's `TimeoutStopSec=90s` is longer).
    static let drainTimeout: Duration = .seconds(30)

    /// Lets the sends and resumes already started finish (their files reach sent/ or failed/),
    /// up to `drainTimeout` or a second SIGTERM/SIGINT; whatever still runs then resumes from the
    /// journal on the next start.
    func drainSends(until stops: AsyncStream<UnixSignal>) async {
        let running = context.inFlight.count
        guard running > 0 else { return }
        let logger = context.logger
        logger.info("waiting for sends in flight", metadata: ["count": "\(running)", "timeout_s": "\(Self.drainTimeout.components.seconds)"])
        let left = await withTaskGroup(of: Int?.self) { group in
            group.addTask { await self.context.inFlight.drain(timeout: Self.drainTimeout) }
            group.addTask {
                for await signal in stops {
                    logger.info("stopping now", metadata: ["signal": "\(signal)"])
                    return nil
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? context.inFlight.count
        }
        if left > 0 {
            logger.warning("stopping with sends in flight; they resume on the next start", metadata: ["count": "\(left)"])
        } else {
            logger.info("sends in flight finished")
        }
    }

    /// Messages a crash left in flight, and claims without a journal row.
    func resumeInterrupted() async {
        await outbound.adoptOrphanClaims()
        guard let rows = try? await context.journal.outboundToResume(now: Date()) else { return }
        if !rows.isEmpty { context.logger.notice("resuming interrupted messages", metadata: ["count": "\(rows.count)"]) }
        for row in rows where row.state != .awaitingMDN {
            context.inFlight.start { [outbound] in await outbound.resume(row) }
        }
    }

    /// SIGHUP: re-read the configuration; new partners get folders and watches, removed ones stop.
    /// In-flight work keeps the snapshot it started with.
    public func reload() async {
        do {
            let configuration = try ConfigurationLoader.load(path: configurationPath)
            context.replace(try AgentSnapshot(configuration: configuration))
            // Kept-alive connections were opened under the old TLS settings and certificates.
            context.client.closeIdleConnections()
            await folders.reload()
            updateCertificateMetrics()
            context.logger.info("configuration reloaded", metadata: ["partners": "\(configuration.partners.count)"])
        } catch {
            context.logger.error("reload failed; keeping the previous configuration", metadata: ["error": "\(error)"])
        }
    }

    func updateCertificateMetrics() {
        let snapshot = context.snapshot
        let now = Date()
        func days(_ d: Date) -> Double { (d.timeIntervalSince(now) / 86400).rounded(.down) }
        context.metrics.set("as2_certificate_expiry_days", ["owner": "self", "subject": snapshot.identity.signing.certificate.subject], days(snapshot.identity.signing.certificate.notAfter))
        for p in snapshot.partners {
            for c in p.verifyCertificates {
                context.metrics.set("as2_certificate_expiry_days", ["owner": p.name, "subject": c.subject], days(c.notAfter))
            }
        }
    }
}
