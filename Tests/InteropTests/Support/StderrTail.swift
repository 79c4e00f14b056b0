import Synchronization

/// The last bytes a child process wrote to stderr, kept for error messages.
final class StderrTail: Sendable {
    private let bytes = Synchronization.Mutex<[UInt8]>([])
    private let limit: Int

    init(limit: Int = 16 * 1024) { self.limit = limit }

    func append(_ chunk: some Sequence<UInt8>) {
        bytes.withLock { buffer in
            buffer.append(contentsOf: chunk)
            if buffer.count > limit { buffer.removeFirst(buffer.count - limit) }
        }
    }

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
