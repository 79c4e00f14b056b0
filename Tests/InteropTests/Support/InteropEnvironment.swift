import Foundation

/// Where the interop tools live: the package root, the Python of the venv, the peer scripts.
public enum InteropEnvironment {
    /// The package root: the nearest folder above this source file that holds Package.swift.
    public static let packageRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                return dir
            }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    /// `Tests/InteropTests/peer`.
    public static var peerDirectory: URL {
        packageRoot.appendingPathComponent("Tests/InteropTests/peer")
    }

    /// The Python that runs the peers: `$AS2_INTEROP_PYTHON`, else `<package root>/.venv/bin/python`.
    /// Throws (never skips) when neither exists, telling how to create it.
    public static func python() throws -> String {
        let env = ProcessInfo.processInfo.environment["AS2_INTEROP_PYTHON"] ?? ""
        let candidates = env.isEmpty ? [packageRoot.appendingPathComponent(".venv/bin/python").path] : [env]
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw InteropError.pythonMissing(tried: candidates)
    }

    /// The path of a peer script, e.g. `script("as2peer.py")`.
    public static func script(_ name: String) throws -> String {
        let path = peerDirectory.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else { throw InteropError.scriptMissing(path) }
        return path
    }

    /// The `openssl` executable: `$AS2_INTEROP_OPENSSL`, else the first `openssl` on `PATH`.
    public static func openssl() throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["AS2_INTEROP_OPENSSL"], !path.isEmpty { return path }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/openssl"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw InteropError.opensslMissing
    }

    /// A new empty temporary directory for one test's files.
    public static func makeTemporaryDirectory(_ prefix: String = "as2-interop") throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
