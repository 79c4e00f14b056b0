import NIOCore
import NIOHTTP1
import Synchronization

/// One client connection that can carry several exchanges, one at a time: a task owns the channel
/// (inside `executeThenClose`) and runs the exchanges handed to it in turn, so the response stream
/// outlives each exchange. Cancelling the caller cancels that task, which ends the connection.
final class HTTPClientConnection: Sendable {
    /// Where the connection goes and with which TLS settings: only requests with the same key share it.
    let key: HTTPClientConnectionKey
    let channel: any Channel
    private let asyncChannel: HTTPClientExchange.Channel
    private let idleGuard: HTTPClientIdleGuard
    private let jobs: AsyncStream<Job>.Continuation
    private let stream: AsyncStream<Job>
    private let state = Mutex(State())

    private struct State {
        var task: Task<Void, Never>?
        var started = false
        var current: Reply?
        var exchanges = 0
    }

    private struct Job: Sendable {
        let exchange: HTTPClientExchange
        let reply: Reply
    }

    /// The caller's continuation, resumed exactly once.
    private final class Reply: Sendable {
        typealias Outcome = Result<(response: HTTPClientResponse, reusable: Bool), any Error>
        private let continuation = Mutex<CheckedContinuation<(response: HTTPClientResponse, reusable: Bool), any Error>?>(nil)

        func set(_ continuation: CheckedContinuation<(response: HTTPClientResponse, reusable: Bool), any Error>) {
            self.continuation.withLock { $0 = continuation }
        }

        func resume(_ outcome: Outcome) {
            let continuation = self.continuation.withLock { c in
                defer { c = nil }
                return c
            }
            continuation?.resume(with: outcome)
        }
    }

    init(channel: HTTPClientExchange.Channel, key: HTTPClientConnectionKey, idleGuard: HTTPClientIdleGuard) {
        self.key = key
        self.asyncChannel = channel
        self.channel = channel.channel
        self.idleGuard = idleGuard
        (stream, jobs) = AsyncStream<Job>.makeStream()
        self.channel.closeFuture.whenComplete { [jobs] _ in jobs.finish() }
    }

    /// True while the channel is open (the idle guard closes it if anything arrives between exchanges).
    var isUsable: Bool { channel.isActive }

    /// Exchanges run so far on this connection.
    var exchangeCount: Int { state.withLock { $0.exchanges } }

    /// Runs `exchange` on this connection (which must be idle). Returns the response and whether the
    /// connection may carry another exchange; throws what `HTTPClientExchange.run` throws.
    func execute(_ exchange: HTTPClientExchange) async throws -> (response: HTTPClientResponse, reusable: Bool) {
        let reply = Reply()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                reply.set(continuation)
                let job = Job(exchange: exchange, reply: reply)
                // The first exchange starts the task that owns the channel, with no hand-over:
                // the request follows the handshake at once (a TLS 1.3 server that refuses the
                // client certificate closes right after it, and its alert must be read first).
                let (task, first) = state.withLock { s -> (Task<Void, Never>?, Bool) in
                    s.current = reply
                    defer { s.started = true }
                    return (s.task, !s.started)
                }
                if first {
                    let started = Task { [self] in await serve(first: job) }
                    state.withLock { $0.task = started }
                    if Task.isCancelled { started.cancel() }
                    return
                }
                if Task.isCancelled { task?.cancel() }
                idleGuard.setIdle(false)
                if case .terminated = jobs.yield(job) {
                    reply.resume(.failure(Self.closedWhileIdle))
                }
            }
        } onCancel: {
            state.withLock { $0.current === reply ? $0.task : nil }?.cancel()
        }
    }

    /// Closes the connection (an exchange in flight fails).
    func close() {
        jobs.finish()
        channel.close(promise: nil)
    }

    private static var closedWhileIdle: HTTPClientExchange.NoResponse {
        HTTPClientExchange.NoResponse(error: HTTPClientError(.connectionClosedEarly, "the kept-alive connection was closed"))
    }

    /// Runs `first`, then each exchange handed over, until one leaves the connection unusable or
    /// the connection is closed.
    private func serve(first: Job) async {
        do {
            try await asyncChannel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                guard await run(first, inbound: &iterator, outbound: outbound) else { return }
                for await job in stream {
                    guard await run(job, inbound: &iterator, outbound: outbound) else { return }
                }
            }
        } catch {
            // Closing errors: the connection is gone either way.
        }
        jobs.finish()
        let pending = state.withLock { s -> Reply? in
            defer { s.current = nil }
            return s.current
        }
        pending?.resume(.failure(Task.isCancelled ? CancellationError() : Self.closedWhileIdle))
    }

    /// Runs one exchange and answers its caller; true when the connection may carry another.
    private func run(_ job: Job, inbound: inout HTTPClientExchange.Inbound, outbound: HTTPClientExchange.Outbound) async -> Bool {
        let outcome: Reply.Outcome
        do {
            outcome = .success(try await job.exchange.run(inbound: &inbound, outbound: outbound, channel: channel))
        } catch {
            outcome = .failure(error)
        }
        let reusable = (try? outcome.get().reusable) ?? false
        if reusable { idleGuard.setIdle(true) }
        state.withLock { s in
            s.current = nil
            s.exchanges += 1
        }
        job.reply.resume(outcome)
        return reusable
    }
}
