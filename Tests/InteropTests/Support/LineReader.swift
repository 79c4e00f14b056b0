import Foundation

/// Threads that read a child's pipes: stdout split into lines, stderr into a tail.
enum LineReader {
    /// Reads `handle` until EOF on a thread of its own, calling `onLine` with each line (without
    /// its LF) and then `onEnd`.
    static func start(
        _ handle: FileHandle, onLine: @escaping @Sendable (Data) -> Void, onEnd: @escaping @Sendable () -> Void
    ) {
        let thread = Thread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 10) {
                    onLine(Data(buffer[buffer.startIndex..<newline]))
                    buffer = Data(buffer[buffer.index(after: newline)...])
                }
            }
            if !buffer.isEmpty { onLine(buffer) }
            onEnd()
        }
        thread.start()
    }

    /// Reads `handle` until EOF on a thread of its own, keeping the last bytes in `tail`.
    static func drain(_ handle: FileHandle, into tail: StderrTail) {
        let thread = Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                tail.append(chunk)
            }
        }
        thread.start()
    }
}
