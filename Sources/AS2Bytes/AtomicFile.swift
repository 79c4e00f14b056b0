/// Writes a file so that readers see it whole or not at all (DESIGN.md §2): a temp file in the
/// same folder, fsync, rename into place, fsync of the folder.
public enum AtomicFile {
    /// Writes `source` to `path`. With `replace` false and `path` taken, throws `ByteError.io(EEXIST)`.
    public static func write(_ source: some ByteSource, to path: String, replace: Bool = true, mode: UInt32 = 0o640, sync: Bool = true) throws {
        try write(to: path, replace: replace, mode: mode, sync: sync) { sink in try source.copy(to: sink) }
    }

    /// `syncFolder: false` leaves the folder's fsync to the caller, who writes several files into
    /// one folder and syncs it once after the last (the file itself is still fsynced before the rename).
    public static func write(_ bytes: [UInt8], to path: String, replace: Bool = true, mode: UInt32 = 0o640, sync: Bool = true, syncFolder: Bool = true) throws {
        try write(to: path, replace: replace, mode: mode, sync: sync, syncFolder: syncFolder) { sink in try MemoryByteSource(bytes).copy(to: sink) }
    }

    /// Streams whatever `produce` writes into a temp file, then moves it into place.
    public static func write(
        to path: String, replace: Bool = true, mode: UInt32 = 0o640, sync: Bool = true, syncFolder: Bool = true,
        _ produce: (FileSink) throws -> Void
    ) throws {
        let dir = FileSystem.parentPath(path)
        let tmp = (dir.isEmpty ? "" : dir + "/") + FileSystem.uniqueName(prefix: ".tmp-", suffix: ".part")
        let sink = try FileSink(path: tmp, exclusive: true, mode: .init(mode))
        do {
            try produce(sink)
            try sink.close(sync: sync)
            if replace {
                try FileSystem.rename(tmp, to: path)
            } else if try !FileSystem.renameNoReplace(tmp, to: path) {
                throw ByteError.io(operation: "rename", path: path, errno: 17 /* EEXIST */)
            }
        } catch {
            try? sink.close()
            try? FileSystem.remove(tmp)
            throw error
        }
        if sync && syncFolder { try FileSystem.syncDirectory(dir.isEmpty ? "." : dir) }
    }
}
