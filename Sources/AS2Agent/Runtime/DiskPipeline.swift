import AS2Bytes
import NIOPosix
import Synchronization

/// The disk work of one message (a received document's delivery, a sent file's finish) with a
/// single suspension of its task: a first step on a disk thread, then the fsyncs it asks for side
/// by side (that thread and others of `DiskIO.pool`), then a last step on the thread whose fsync
/// finished last, then one resumption. Chained with `DiskIO.run` and `DiskIO.syncFiles` it was
/// five jobs and a task group, each a wake-up and a hop.
enum DiskPipeline {
    /// What the first step found: the result already, or files to fsync before `finish` makes it.
    /// `discard` cleans up when an fsync or `finish` fails.
    enum Step<T: Sendable>: Sendable {
        case done(T)
        case sync(paths: [String], finish: @Sendable () throws -> T, discard: @Sendable () -> Void)
    }

    /// The disk threads were shut down.
    struct Stopped: Error {}

    static func run<T: Sendable>(_ first: @escaping @Sendable () throws -> Step<T>) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            DiskIO.pool.submit { state in
                guard case .active = state else { return continuation.resume(throwing: Stopped()) }
                let step: Step<T>
                do {
                    step = try first()
                } catch {
                    return continuation.resume(throwing: error)
                }
                switch step {
                case .done(let value):
                    continuation.resume(returning: value)
                case let .sync(paths, finish, discard):
                    let join = Join(count: paths.count) { failure in
                        do {
                            if let failure { throw failure }
                            continuation.resume(returning: try finish())
                        } catch {
                            discard()
                            continuation.resume(throwing: error)
                        }
                    }
                    for path in paths.dropFirst() {
                        DiskIO.pool.submit { state in
                            guard case .active = state else { return join.done(Stopped()) }
                            join.done(syncing: path)
                        }
                    }
                    if let path = paths.first { join.done(syncing: path) } else { join.done(nil) }
                }
            }
        }
    }

    /// Counts the fsyncs still running; the last one to finish runs `completion` with the first failure.
    final class Join: Sendable {
        private let state: Mutex<(remaining: Int, failure: (any Error)?)>
        private let completion: @Sendable ((any Error)?) -> Void

        init(count: Int, completion: @escaping @Sendable ((any Error)?) -> Void) {
            state = Mutex((max(count, 1), nil))
            self.completion = completion
        }

        func done(syncing path: String) {
            do {
                try FileSystem.syncFile(path)
                done(nil)
            } catch {
                done(error)
            }
        }

        func done(_ failure: (any Error)?) {
            let outcome: (last: Bool, failure: (any Error)?) = state.withLock { state in
                if state.failure == nil { state.failure = failure }
                state.remaining -= 1
                return (state.remaining == 0, state.failure)
            }
            if outcome.last { completion(outcome.failure) }
        }
    }
}
