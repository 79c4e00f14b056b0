import AS2Bytes
import Foundation

/// Folder fsyncs shared between threads that finish files into the same folder at once (inbox/,
/// sent/): `sync(path)` returns once an fsync of `path` that began after the call has completed.
/// A caller that finds one running waits for it to end and then either finds its entry covered by
/// a later one or runs the next itself, so N placements finishing together cost about two fsyncs,
/// not N. Called on disk threads (it blocks), never on the cooperative pool.
///
/// Covered means durable: an fsync that started before a caller's rename may have missed it, so
/// only one that starts after the caller's ticket was issued answers it.
public final class FolderSyncs: @unchecked Sendable {
    /// One process-wide instance: the folders are the process's, whoever places into them.
    public static let shared = FolderSyncs()

    private struct Folder {
        /// Tickets issued (each caller's is this value after its increment).
        var issued: UInt64 = 0
        /// Every ticket up to this one is covered by a completed fsync.
        var covered: UInt64 = 0
        var running = false
        /// Callers inside `sync` for this folder; the entry goes when the last one leaves.
        var callers = 0
    }

    /// Guards `folders`; waited on while a folder's fsync runs.
    private let condition = NSCondition()
    private var folders: [String: Folder] = [:]
    private let syncFolder: @Sendable (String) throws -> Void

    public init(sync: @escaping @Sendable (String) throws -> Void = { try FileSystem.syncDirectory($0) }) {
        self.syncFolder = sync
    }

    public func sync(_ path: String) throws {
        condition.lock()
        defer {
            folders[path]!.callers -= 1
            if folders[path]!.callers == 0 { folders[path] = nil }  // 10,000 partners: no entry per idle folder
            condition.unlock()
        }
        folders[path, default: Folder()].issued += 1
        folders[path]!.callers += 1
        let ticket = folders[path]!.issued
        while folders[path]!.covered < ticket {
            if folders[path]!.running {
                condition.wait()
                continue
            }
            folders[path]!.running = true
            let target = folders[path]!.issued  // every ticket issued so far, ours included
            condition.unlock()
            let result = Result { try syncFolder(path) }
            condition.lock()
            folders[path]!.running = false
            if case .success = result { folders[path]!.covered = max(folders[path]!.covered, target) }
            condition.broadcast()
            // A failure answers this caller only; the waiters find their tickets uncovered and one
            // of them tries again.
            if case let .failure(error) = result { throw error }
        }
    }

    /// Entries kept (for tests).
    var trackedFolders: Int {
        condition.lock()
        defer { condition.unlock() }
        return folders.count
    }
}
