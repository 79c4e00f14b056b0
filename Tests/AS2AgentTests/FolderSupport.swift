#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Helpers of the folder end-to-end tests: binaries, free loopback ports, polling, file listings.
enum FolderSupport {
    /// A built executable (`as2-agent`, `as2-agent-watch`) in the build folder beside the test bundle.
    static func binary(_ name: String) throws -> String {
        if name == "as2-agent", let explicit = ProcessInfo.processInfo.environment["AS2_AGENT_BIN"] { return explicit }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw FolderTestError("\(name) not found next to \(CommandLine.arguments[0]); build with swift build --build-tests")
    }

    /// The package root (for the Python interop peer), found upwards from the test bundle.
    static func packageRoot() throws -> String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder.path }
            folder = folder.deletingLastPathComponent()
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return source.path
    }

    /// A free TCP port on 127.0.0.1 (bound to port 0, read back, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FolderTestError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa -> Int32 in
                guard bind(fd, sa, length) == 0 else { return -1 }
                return getsockname(fd, sa, &length)
            }
        }
        guard bound == 0 else { throw FolderTestError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The status code of `GET path` on 127.0.0.1:`port`, or nil when nothing answers.
    static func httpStatus(port: Int, path: String) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 12 else { return nil }
        let line = String(decoding: buffer[0..<n], as: UTF8.self)
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
    @discardableResult
    static func wait(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    /// Regular files under `folder`, as paths relative to it, dot-folders (`.as2/`) left out.
    static func files(in folder: String) -> [String] {
        guard let entries = FileManager.default.enumerator(atPath: folder) else { return [] }
        var result: [String] = []
        while let entry = entries.nextObject() as? String {
            if entry.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + entry, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(entry)
            }
        }
        return result.sorted()
    }

    /// Documents (files that are not our sidecars) under `folder`.
    static func documents(in folder: String) -> [String] {
        files(in: folder).filter { !$0.hasSuffix(".mdn.json") && !$0.hasSuffix(".mdn") && !$0.hasSuffix(".error.json") }
    }

    /// Writes `data` under a dot name in `folder`, then renames it to `name` (how users should drop files).
    static func drop(_ data: Data, named name: String, into folder: String) throws {
        let target = folder + "/" + name
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temp = (target as NSString).deletingLastPathComponent + "/.drop-" + UUID().uuidString
        try data.write(to: URL(fileURLWithPath: temp))
        guard rename(temp, target) == 0 else { throw FolderTestError("rename \(temp) → \(target) failed: errno \(errno)") }
    }

    /// A deterministic payload of `size` bytes that differs per `seed`.
    static func payload(size: Int, seed: Int) -> Data {
        var bytes = [UInt8](repeating: 0, count: size)
        var x = UInt64(truncatingIfNeeded: seed) &* 6364136223846793005 &+ 1442695040888963407
        for i in 0..<size {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            bytes[i] = UInt8(truncatingIfNeeded: x >> 33)
        }
        return Data(bytes)
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw FolderTestError("\(path) is not a JSON object") }
        return object
    }
}

/// A failed expectation of the test machinery, with what happened.
struct FolderTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
