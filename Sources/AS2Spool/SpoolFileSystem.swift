#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AS2Bytes

/// The few file-system calls the spool needs beyond `AS2Bytes.FileSystem`: lstat-based file
/// types, directory listing by raw name bytes, exclusive mkdir, rmdir and a plain rename(2).
enum SpoolFileSystem {
    enum Kind: Equatable { case regular, directory, other }

    struct Status {
        let kind: Kind
        let size: Int
        /// Modification time in nanoseconds since the epoch.
        let modified: Int64
    }

    /// Creates `path` (never replacing, mode 0640) with `payload`; fsynced when `sync`. Removed on failure.
    static func create(_ path: String, with payload: any ByteSource, sync: Bool) throws {
        let sink = try FileSink(path: path, exclusive: true, mode: 0o640)
        do {
            try payload.copy(to: sink)
            try sink.close(sync: sync)
        } catch {
            try? sink.close()
            try? FileSystem.remove(path)
            throw error
        }
    }

    /// lstat(2): nil when nothing is at `path` (symbolic links count as `.other`).
    static func status(_ path: String) -> Status? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        let kind: Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        let modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        return Status(kind: kind, size: Int(st.st_size), modified: modified)
    }

    struct Entry {
        /// The name when it is valid UTF-8; nil otherwise.
        let name: String?
        let rawName: [UInt8]
        /// From `d_type` (`.other` also when the filesystem does not say; then use `status`).
        let kind: Kind?
    }

    /// The entries of a folder, without `.` and `..`.
    static func list(_ path: String) throws -> [Entry] {
        guard let dir = opendir(path) else { throw ByteError.io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var entries: [Entry] = []
        while true {
            errno = 0
            guard let ent = readdir(dir) else {
                if errno != 0 { throw ByteError.io(operation: "readdir", path: path, errno: errno) }
                break
            }
            let raw: [UInt8] = withUnsafeBytes(of: ent.pointee.d_name) { buf in
                Array(buf.prefix { $0 != 0 })
            }
            if raw == [0x2e] || raw == [0x2e, 0x2e] { continue }
            let kind: Kind?
            switch Int32(ent.pointee.d_type) {
            case Int32(DT_REG): kind = .regular
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_UNKNOWN): kind = nil
            default: kind = .other
            }
            entries.append(Entry(name: String(validating: raw, as: UTF8.self), rawName: raw, kind: kind))
        }
        return entries
    }

    /// mkdir(2); returns false when something already exists at `path`.
    static func makeDirectory(_ path: String, mode: mode_t = 0o750) throws -> Bool {
        if mkdir(path, mode) == 0 { return true }
        if errno == EEXIST { return false }
        throw ByteError.io(operation: "mkdir", path: path, errno: errno)
    }

    /// rmdir(2); a folder already gone is fine.
    static func removeDirectory(_ path: String) throws {
        if rmdir(path) != 0 && errno != ENOENT {
            throw ByteError.io(operation: "rmdir", path: path, errno: errno)
        }
    }

    /// rename(2) that reports a missing source as false instead of throwing.
    static func renameIfPresent(_ from: String, to: String) throws -> Bool {
        while rename(from, to) != 0 {
            if errno == EINTR { continue }
            if errno == ENOENT { return false }
            throw ByteError.io(operation: "rename", path: from, errno: errno)
        }
        return true
    }

    /// Joins a folder and a relative path.
    static func join(_ base: String, _ relative: String) -> String {
        if relative.isEmpty { return base }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }
}
