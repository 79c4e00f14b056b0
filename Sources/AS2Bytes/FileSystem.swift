#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the file-system calls the durability rules need (DESIGN.md §2, §5):
/// rename, fsync of a directory, exclusive creation, and unique temp names.
public enum FileSystem {
    /// `rename(2)`: atomic within one filesystem.
    public static func rename(_ from: String, to: String) throws {
        try SystemError.retrying("rename", from) { Glibc.rename(from, to) }
    }

    /// Moves `from` to `to` unless `to` exists (then returns false and leaves both alone).
    /// Uses link + unlink, which never replaces; a crash in between leaves a stray temp name only.
    public static func renameNoReplace(_ from: String, to: String) throws -> Bool {
        guard try linkNoReplace(from, to: to) else { return false }
        try SystemError.retrying("unlink", from) { unlink(from) }
        return true
    }

    /// A second name `to` for the file `from` (`link(2)`): false when `to` exists already (both
    /// left alone). Throws `ByteError.io` with `EXDEV` when they are on different filesystems.
    public static func linkNoReplace(_ from: String, to: String) throws -> Bool {
        if link(from, to) != 0 {
            if errno == EEXIST { return false }
            throw ByteError.io(operation: "link", path: from, errno: errno)
        }
        return true
    }

    /// fsync of a file written and closed earlier (its data and size reach the disk).
    public static func syncFile(_ path: String) throws {
        try sync(path, flags: O_RDONLY | O_CLOEXEC)
    }

    /// fsync of a directory, so that a rename or create in it survives a crash.
    public static func syncDirectory(_ path: String) throws {
        try sync(path, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    private static func sync(_ path: String, flags: Int32) throws {
        let fd = try SystemError.retrying("open", path) { open(path, flags) }
        defer { close(fd) }
        try SystemError.retrying("fsync", path) { fsync(fd) }
    }

    /// Creates a directory and its parents (mode applies to created ones). Existing is fine.
    public static func createDirectory(_ path: String, mode: mode_t = 0o750) throws {
        if isDirectory(path) { return }
        let parent = parentPath(path)
        if !parent.isEmpty, parent != path { try createDirectory(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw ByteError.io(operation: "mkdir", path: path, errno: errno)
        }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func fileSize(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw ByteError.io(operation: "stat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    public static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw ByteError.io(operation: "unlink", path: path, errno: errno)
        }
    }

    /// The folder part of a path ("" for a bare name, "/" for the root).
    public static func parentPath(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "" }
        if i == path.startIndex { return "/" }
        return String(path[..<i])
    }

    /// The last path component.
    public static func baseName(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: i)...])
    }

    /// A name that is unique in practice: process id, time and randomness.
    public static func uniqueName(prefix: String = ".tmp-", suffix: String = "") -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let rnd = UInt64.random(in: 0...UInt64.max)
        return "\(prefix)\(getpid())-\(ts.tv_sec)\(ts.tv_nsec)-\(String(rnd, radix: 36))\(suffix)"
    }
}
