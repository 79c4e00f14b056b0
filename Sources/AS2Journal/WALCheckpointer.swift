import Foundation
import GRDB

/// Copies the WAL into the database file from a connection of its own, four times a second. SQLite
/// still checkpoints inside the commit that takes the WAL past 1,000 pages (that checkpoint is
/// what lets the next transaction restart the WAL from its beginning, so it stays small), but the
/// pages are then already copied and synced by this PASSIVE checkpoint, which never blocks the
/// writer or readers — before, every thirtieth message or so waited for a whole checkpoint.
final class WALCheckpointer: Sendable {
    private let task: Task<Void, Never>

    init(path: String, interval: Duration = .milliseconds(250)) throws {
        var configuration = Configuration()
        configuration.label = "as2-journal-checkpoint"
        configuration.busyMode = .timeout(10)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                // Busy (a backup or another checkpoint) or cancelled: try again next time.
                _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            }
            try? await connection.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try? connection.close()
        }
    }

    /// Stops the loop after a last checkpoint that also empties the WAL file.
    func stop() async {
        task.cancel()
        await task.value
    }
}
