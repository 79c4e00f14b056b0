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
    private let idleGuard: HTTPClientIdleGuard
    private let jobs: AsyncStream<Job>.Continuation
    private let stream: AsyncStream<Job>
    private let state = Mutex(State())

    private struct State {
        var task: Task<Void, Never>?
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
        self.channel = channel.channel
        self.idleGuard = idleGuard
        (stream, jobs) = AsyncStream<Job>.makeStream()
        let task = Task { [self] in await serve(channel) }
        state.withLock { $0.task = task }
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
                let task = state.withLock { s -> Task<Void, Never>? in
                    s.current = reply
                    return s.task
                }
                if Task.isCancelled { task?.cancel() }
                idleGuard.setIdle(false)
                if case .terminated = jobs.yield(Job(exchange: exchange, reply: reply)) {
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

    private func serve(_ connection: HTTPClientExchange.Channel) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                for await job in stream {
                    let outcome: Reply.Outcome
                    do {
                        outcome = .success(try await job.exchange.run(inbound: &iterator, outbound: outbound, channel: channel))
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
                    if !reusable { return }
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
}
