import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Notes when the agent finishes a dropped file: `<name>.mdn.json` appearing in `sent/` (or
/// `<name>.error.json` in `failed/`), seen through inotify by a reader thread that stamps each
/// event with the time it was read.
final class ReceiptWatcher: Sendable {
    enum Outcome: Sendable, Equatable {
        case sent, failed
    }

    struct Finished: Sendable {
        let outcome: Outcome
        let at: ContinuousClock.Instant
    }

    private struct State {
        var finished: [String: Finished] = [:]
        var stopped = false
    }

    private let fd: Int32
    private let sentWatch: Int32
    private let failedWatch: Int32
    private let state = Mutex(State())
    private let clock = ContinuousClock()
    /// Signalled by the reader thread after each batch of new outcomes; `arrived` is their count.
    private let arrivals = NSCondition()
    nonisolated(unsafe) private var arrived = 0

    init(sent: String, failed: String) throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw BenchError("inotify_init1 failed: errno \(errno)") }
        let mask = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE)  // sidecars are linked in (IN_CREATE)
        let sentWatch = inotify_add_watch(fd, sent, mask)
        let failedWatch = inotify_add_watch(fd, failed, mask)
        guard sentWatch >= 0, failedWatch >= 0 else {
            close(fd)
            throw BenchError("cannot watch \(sent) and \(failed): errno \(errno)")
        }
        self.fd = fd
        self.sentWatch = sentWatch
        self.failedWatch = failedWatch
        let thread = Thread { [self] in self.readEvents() }
        thread.start()
    }

    /// The outcome of the file `name` dropped into the outbox, once it is known.
    func finished(_ name: String) -> Finished? { state.withLock { $0.finished[name] } }

    var count: Int { state.withLock { $0.finished.count } }

    /// Blocks until more than `seen` outcomes are known or `timeout` seconds have passed; returns
    /// the number known. Called from the single drop loop, so blocking its thread is fine.
    func waitForMore(than seen: Int, timeout: Double) -> Int {
        arrivals.lock()
        defer { arrivals.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while arrived <= seen, arrivals.wait(until: deadline) {}
        return arrived
    }

    /// Stops the reader thread and closes the inotify descriptor.
    func stop() {
        state.withLock { $0.stopped = true }
    }

    private func readEvents() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !state.withLock({ $0.stopped }) {
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { continue }
            let now = clock.now
            var events: [(String, Outcome)] = []
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + 16 <= n {
                    let wd = raw.load(fromByteOffset: offset, as: Int32.self)
                    let length = Int(raw.load(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameBytes = raw[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                    let name = String(decoding: nameBytes, as: UTF8.self)
                    if wd == sentWatch, name.hasSuffix(".mdn.json") {
                        events.append((String(name.dropLast(".mdn.json".count)), .sent))
                    } else if wd == failedWatch, name.hasSuffix(".error.json") {
                        events.append((String(name.dropLast(".error.json".count)), .failed))
                    }
                    offset += 16 + length
                }
            }
            let total = state.withLock { s in
                for (name, outcome) in events where s.finished[name] == nil { s.finished[name] = Finished(outcome: outcome, at: now) }
                return s.finished.count
            }
            arrivals.lock()
            arrived = total
            arrivals.broadcast()
            arrivals.unlock()
        }
        close(fd)
    }
}
