import AS2Bytes
import AS2HTTP

/// The admin listener: `/healthz` (200 once the agent listens and watches) and `/metrics`.
public struct AdminHandler: HTTPRequestHandler {
    let metrics: AgentMetrics
    let readiness: Readiness

    public init(metrics: AgentMetrics, readiness: Readiness) {
        self.metrics = metrics
        self.readiness = readiness
    }

    public func decide(head: HTTPRequestHead) async -> HTTPBodyDecision {
        guard head.method == "GET" || head.method == "HEAD" else {
            return .reject(.text(405, "method not allowed\n", headers: [("Allow", "GET")]))
        }
        return .accept(maxBodySize: 0)
    }

    public func handle(head: HTTPRequestHead, body: any ByteSource) async -> HTTPResponse {
        switch head.path {
        case "/healthz":
            return readiness.isReady ? .text(200, "ok\n") : .text(503, "starting\n")
        case "/metrics":
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                body: MemoryByteSource(metrics.render())
            )
        default:
            return .text(404, "not found\n")
        }
    }
}

/// Set once the HTTP listener and the folder watcher are up.
public final class Readiness: @unchecked Sendable {
    // Guarded by `lock`.
    private var ready = false
    private let lock = NSLock()
    public init() {}
    public var isReady: Bool { lock.withLock { ready } }
    public func set(_ value: Bool) { lock.withLock { ready = value } }
}

import Foundation
