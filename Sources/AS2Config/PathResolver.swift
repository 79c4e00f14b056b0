/// Makes agent.conf paths absolute: relative ones resolve against the configuration file's
/// folder (DESIGN.md §2); `.` and `..` components are removed lexically.
struct PathResolver: Sendable {
    /// Absolute folder that relative paths start from.
    let directory: String

    func resolve(_ path: String) -> String {
        Self.normalize(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The absolute form of a possibly relative path given on the command line.
    static func absolute(_ path: String, currentDirectory: String) -> String {
        path.hasPrefix("/") ? normalize(path) : normalize(currentDirectory + "/" + path)
    }

    /// Folder of an absolute file path.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
