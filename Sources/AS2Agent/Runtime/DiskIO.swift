import AS2Bytes
import NIOPosix

/// Where blocking file work runs (writes with fsync, renames, folder syncs): threads of its own,
/// never Swift's cooperative pool, which has one thread per core — an fsync there would stall
/// every other task on that thread for the disk's latency. Several threads, so the fsyncs of
/// concurrent messages overlap and the disk can flush them together.
enum DiskIO {
    /// Lives as long as the process.
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    /// Runs `work` on the disk threads and returns its result.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }
}
