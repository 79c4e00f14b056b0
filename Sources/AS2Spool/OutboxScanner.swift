import Logging

/// Finds the files waiting in an outbox: a recursive walk (regular files only, ignore rules
/// applied, the `.as2` work area skipped), oldest first. Used at start, after an inotify
/// overflow or a watcher restart, on reload, for a new subfolder, and on a timer for network
/// filesystems where inotify sees nothing.
public struct OutboxScanner: Sendable {
    public let rules: IgnoreRules
    private let logger: Logger?

    public init(rules: IgnoreRules = .standard, logger: Logger? = nil) {
        self.rules = rules
        self.logger = logger
    }

    /// Every file in `outbox` and its subfolders, sorted by modification time, then subpath.
    public func scan(outbox: String) throws -> [ScannedFile] {
        try scan(directory: outbox, inOutbox: outbox)
    }

    /// The files in `directory` (the outbox or a folder inside it) and below, sorted like
    /// `scan(outbox:)`; an ignored folder yields nothing.
    public func scan(directory: String, inOutbox outbox: String) throws -> [ScannedFile] {
        let root = Self.trimmed(outbox)
        let dir = Self.trimmed(directory)
        let start: String
        if dir == root {
            start = ""
        } else if dir.hasPrefix(root == "/" ? "/" : root + "/") {
            start = String(dir.dropFirst(root == "/" ? 1 : root.count + 1))
        } else {
            throw SpoolError(.invalidName, "\(directory) is not inside the outbox \(outbox)")
        }
        if !start.isEmpty && rules.ignores(relativePath: start) { return [] }
        var found: [ScannedFile] = []
        try SpoolError.wrapping("scanning \(dir)") {
            try walk(root: root, relative: start, into: &found, isTop: true)
        }
        return found.sorted { ($0.modified, $0.subpath) < ($1.modified, $1.subpath) }
    }

    private func walk(root: String, relative: String, into found: inout [ScannedFile], isTop: Bool) throws {
        let dir = SpoolFileSystem.join(root, relative)
        let entries: [SpoolFileSystem.Entry]
        do {
            entries = try SpoolFileSystem.list(dir)
        } catch {
            // A subfolder removed while we walk is not an error; the outbox itself missing is.
            if !isTop && SpoolFileSystem.status(dir) == nil { return }
            throw error
        }
        for entry in entries {
            guard let name = entry.name else {
                logger?.info(
                    "file name is not valid UTF-8; rename it to send it",
                    metadata: ["as2.folder": "\(dir)", "as2.name_bytes": "\(entry.rawName.map { String($0, radix: 16) }.joined(separator: " "))"])
                continue
            }
            if rules.ignores(name: name) { continue }
            let sub = relative.isEmpty ? name : relative + "/" + name
            let path = SpoolFileSystem.join(root, sub)
            var kind = entry.kind
            var status: SpoolFileSystem.Status?
            if kind == nil || kind == .regular {
                status = SpoolFileSystem.status(path)
                kind = status?.kind
            }
            switch kind {
            case .directory:
                try walk(root: root, relative: sub, into: &found, isTop: false)
            case .regular:
                if let status { found.append(ScannedFile(path: path, subpath: sub, size: status.size, modified: status.modified)) }
            default:
                continue
            }
        }
    }

    static func trimmed(_ path: String) -> String {
        var p = path
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        return p
    }
}
