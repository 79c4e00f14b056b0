import NIOCore
import Synchronization

/// What both sides of an exchange share: the `100 Continue` signal, the read deadline (which
/// closes the channel when it passes), the first send failure, and how far each side got (which
/// decides whether the connection may carry another exchange).
final class ExchangeProgress: Sendable {
    private struct State {
        var continued = false
        var finalArrived = false
        var responseStarted = false
        var bodyEnding = false
        var bodySent = false
        var finished = false
        var timedOut = false
        var sendFailure: String?
        var deadline: Scheduled<Void>?
        var waiter: CheckedContinuation<Void, Never>?
        var waitOver = false
    }

    private let channel: any Channel
    private let state = Mutex(State())

    init(channel: any Channel) {
        self.channel = channel
    }

    var timedOut: Bool { state.withLock { $0.timedOut } }
    var finalResponseArrived: Bool { state.withLock { $0.finalArrived } }
    var sendFailure: String? { state.withLock { $0.sendFailure } }
    /// Some part of a response (even an interim one) arrived.
    var responseStarted: Bool { state.withLock { $0.responseStarted } }
    /// The sender is writing the end of the body: it will be done without waiting for the peer.
    var bodyEnding: Bool { state.withLock { $0.bodyEnding } }
    /// The whole body, end included, was written without error.
    var bodySent: Bool { state.withLock { $0.bodySent && $0.sendFailure == nil } }

    /// (Re)starts the deadline: when it passes, the connection is closed and the exchange times out.
    /// Does nothing once the exchange is finished (the connection may be serving the next one).
    func arm(_ timeout: TimeAmount) {
        let channel = self.channel
        let next = channel.eventLoop.scheduleTask(in: timeout) { [self] in
            let fire = state.withLock { s -> Bool in
                if s.finished { return false }
                s.timedOut = true
                return true
            }
            if fire { channel.close(promise: nil) }
        }
        let previous = state.withLock { s -> Scheduled<Void>? in
            if s.finished { return next }
            let previous = s.deadline
            s.deadline = next
            return previous
        }
        previous?.cancel()
    }

    /// Ends the deadline for good: later `arm` calls are ignored.
    func finish() {
        state.withLock { s in
            s.finished = true
            s.deadline?.cancel()
            s.deadline = nil
        }
    }

    func responsePartReceived() { state.withLock { $0.responseStarted = true } }

    func bodyEndWriting() { state.withLock { $0.bodyEnding = true } }

    func bodyEndWritten() { state.withLock { $0.bodySent = true } }

    func disarm() {
        state.withLock { s in
            s.deadline?.cancel()
            s.deadline = nil
        }
    }

    func recordSendFailure(_ error: Error) {
        state.withLock { if $0.sendFailure == nil { $0.sendFailure = "\(error)" } }
    }

    func continueReceived() { release { $0.continued = true } }

    func finalResponseReceived() { release { $0.finalArrived = true } }

    /// Returns on `100 Continue`, on a final response, after `timeout` (RFC 9110 §10.1.1), or when
    /// the waiting task is cancelled.
    func waitForContinue(timeout: Duration) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.continued || s.finalArrived || s.waitOver { return true }
                    s.waiter = continuation
                    return false
                }
                if resumeNow { return continuation.resume() }
                channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { [self] in release { $0.waitOver = true } }
            }
        } onCancel: {
            release { $0.waitOver = true }
        }
    }

    private func release(_ update: (inout State) -> Void) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            update(&s)
            let waiter = s.waiter
            s.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
