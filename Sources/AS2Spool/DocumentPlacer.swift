#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AS2Bytes
import Foundation

/// Puts a document and its sidecars into a user-facing folder (inbox/, sent/, failed/) under a
/// name that collides with nothing: sidecars first, each written atomically and without
/// replacing, then the document moved in without replacing (DESIGN.md §2). Any collision found
/// on the way (another writer was faster) undoes this attempt's sidecars and tries the next name.
enum DocumentPlacer {
    /// Suffixes of our sidecars; a name is free only when none of them exists for it either.
    static let sidecarSuffixes = [".mdn.json", ".mdn", ".error.json"]

    struct Sidecar {
        let suffix: String
        let bytes: [UInt8]
    }

    /// Splits `inv.edi` into (`inv`, `.edi`); a leading dot or no dot means no extension.
    static func split(_ name: String) -> (stem: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }

    /// Longest name a document may have so that its longest sidecar name (`.error.json`) still
    /// fits the 255-byte limit of Linux filesystems.
    static let maxNameBytes = 255 - ".error.json".utf8.count

    /// `name` for 0, else `<stem>-<n><ext>`; the stem is shortened when the result (or one of
    /// its sidecars) would be too long for the filesystem.
    static func candidate(_ name: String, _ n: Int) -> String {
        var (stem, ext) = split(name)
        let counter = n == 0 ? "" : "-\(n)"
        if ext.utf8.count > maxNameBytes / 2 {
            stem += ext
            ext = ""
        }
        while !stem.isEmpty, (stem + counter + ext).utf8.count > maxNameBytes { stem.removeLast() }
        return stem + counter + ext
    }

    static func isFree(_ dir: String, _ name: String) -> Bool {
        !FileSystem.exists(dir + "/" + name) && !sidecarSuffixes.contains { FileSystem.exists(dir + "/" + name + $0) }
    }

    /// The preferred name when it is free, else the first free `-N` name after the last number this
    /// process used for it (`CollisionHints`) and at or after `start`.
    static func freeName(in dir: String, preferred: String, from start: Int = 0) throws -> (name: String, index: Int) {
        if start == 0, isFree(dir, preferred) { return (candidate(preferred, 0), 0) }
        let first = max(start, 1, CollisionHints.last(dir, preferred) + 1)
        var n = first
        while n < first + 100_000 {
            let name = candidate(preferred, n)
            if isFree(dir, name) {
                CollisionHints.record(dir, preferred, n)
                return (name, n)
            }
            n += 1
        }
        throw SpoolError(.invalidName, "no free name for \(preferred) in \(dir)")
    }

    /// Places the document: `reserve` is told the chosen name before anything is written (claims
    /// record it for crash recovery), `sidecars` makes the sidecars for that name (their content
    /// names the document), `moveDocument` moves the document to the given path without replacing
    /// and returns false when the path is taken. Returns the final name.
    static func place(
        into dir: String, preferredName: String, sidecars: (String) throws -> [Sidecar],
        reserve: (String) throws -> Void = { _ in },
        moveDocument: (String) throws -> Bool
    ) throws -> String {
        var start = 0
        while true {
            let (name, index) = try freeName(in: dir, preferred: preferredName, from: start)
            start = index + 1
            try reserve(name)
            var written: [String] = []
            var collided = false
            for sidecar in try sidecars(name) {
                let path = dir + "/" + name + sidecar.suffix
                if try writeNoReplace(sidecar.bytes, to: path) {
                    written.append(path)
                } else {
                    collided = true
                    break
                }
            }
            do {
                if !collided, try moveDocument(dir + "/" + name) {
                    try FileSystem.syncDirectory(dir)
                    return name
                }
            } catch {
                // Sidecars without their document must not stay behind.
                for path in written { try? FileSystem.remove(path) }
                throw error
            }
            for path in written { try FileSystem.remove(path) }
        }
    }

    /// Writes a sidecar atomically unless `path` exists; false when it does. The sidecar's data is
    /// fsynced before its rename; the folder is fsynced once, by `place`, after the document's
    /// rename: a crash before that fsync may lose the names of both, but on ext4/xfs (which
    /// journal metadata in order) never the sidecar's name while keeping the document's.
    static func writeNoReplace(_ bytes: [UInt8], to path: String) throws -> Bool {
        do {
            try AtomicFile.write(bytes, to: path, replace: false, mode: 0o640, syncFolder: false)
            return true
        } catch let ByteError.io(_, _, code) where code == EEXIST {
            return false
        }
    }

    /// Moves `from` to `to` without replacing. When `to` is already the same file (an earlier
    /// run linked it and stopped before unlinking `from`), finishes the move. False when `to`
    /// is another file.
    static func moveNoReplace(_ from: String, to: String) throws -> Bool {
        if try FileSystem.renameNoReplace(from, to: to) { return true }
        var a = stat()
        var b = stat()
        if lstat(from, &a) == 0, lstat(to, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino {
            try FileSystem.remove(from)
            return true
        }
        return false
    }
}
