import AS2Bytes
import Synchronization

/// fsyncs of folders shared by the files that need them: fsyncs are batched across files, never
/// skipped. A request is answered by an fsync of its folder that starts after the request was
/// made; the requests that arrive while one runs all wait for the next one, which covers them all.
final class DirectorySyncs: Sendable {
    typealias Sync = @Sendable (String) async throws -> Void

    private struct Pending {
        var waiting: [CheckedContinuation<Void, any Error>] = []
    }

    /// Folders with an fsync running (or about to), and the requests waiting for the next one.
    private let pending = Mutex<[String: Pending]>([:])
    private let syncFolder: Sync

    init(sync: @escaping Sync = { path in try await DiskIO.run { try FileSystem.syncDirectory(path) } }) {
        self.syncFolder = sync
    }

    /// Returns once an fsync of `path` that started after this call has completed.
    func sync(_ path: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let first = pending.withLock { folders -> Bool in
                if folders[path] != nil {
                    folders[path]?.waiting.append(continuation)
                    return false
                }
                folders[path] = Pending(waiting: [continuation])
                return true
            }
            if first { Task { await self.drain(path) } }
        }
    }

    /// Each of `paths` (duplicates once), side by side.
    func sync(_ paths: [String]) async throws {
        var unique: [String] = []
        for path in paths where !unique.contains(path) { unique.append(path) }
        if unique.count == 1 { return try await sync(unique[0]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for path in unique { group.addTask { try await self.sync(path) } }
            try await group.waitForAll()
        }
    }

    /// fsyncs `path` until no request waits: each round answers the requests made before it began.
    private func drain(_ path: String) async {
        while true {
            let batch = pending.withLock { folders -> [CheckedContinuation<Void, any Error>] in
                let batch = folders[path]?.waiting ?? []
                if batch.isEmpty {
                    folders[path] = nil
                } else {
                    folders[path]?.waiting = []
                }
                return batch
            }
            if batch.isEmpty { return }
            let result: Result<Void, any Error>
            do {
                try await syncFolder(path)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            for continuation in batch { continuation.resume(with: result) }
        }
    }
}
