import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Raw TCP on 127.0.0.1 for tests: free ports, and an HTTP client that sends exact bytes (also
/// malformed ones) and reads whatever comes back.
enum HTTPSocket {
    /// A port nobody listens on right now, below Linux's ephemeral range (32768–60999) so that no
    /// outgoing connection of a parallel test takes it between this check and the agent's bind.
    static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20000..<32000)
            // Never the same port twice in one process (a config holds several not yet bound).
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if canBind(port) { return port }
        }
        throw HTTPTestError("no free port in 20000..<32000")
    }

    private static let handedOut = Mutex<Set<Int>>([])

    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    /// A connected socket to 127.0.0.1:`port` with a receive timeout.
    static func connect(port: Int, timeout: Double = 10) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestError("socket failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else {
            close(fd)
            throw HTTPTestError("connect to \(port) failed")
        }
        var tv = timeval()
        tv.tv_sec = Int(timeout)
        tv.tv_usec = .init((timeout - Double(Int(timeout))) * 1e6)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func canConnect(port: Int) -> Bool {
        guard let fd = try? connect(port: port, timeout: 1) else { return false }
        close(fd)
        return true
    }

    /// Writes all of `bytes`; false when the peer closed the connection.
    @discardableResult
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Reads until the peer closes, the timeout passes, or a complete response (by Content-Length) arrived.
    static func readResponse(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buffer[0..<n]
            if let r = HTTPRawResponse(out), r.isComplete { break }
        }
        return out
    }

    /// One request on a fresh connection: sends `bytes`, returns the parsed response (nil when the
    /// server closed without answering).
    static func exchange(port: Int, _ bytes: [UInt8], timeout: Double = 10) throws -> HTTPRawResponse? {
        let fd = try connect(port: port, timeout: timeout)
        defer { close(fd) }
        write(fd, bytes)
        return HTTPRawResponse(readResponse(fd))
    }
}

/// A parsed HTTP/1.1 response as raw bytes.
struct HTTPRawResponse {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]
    let isComplete: Bool

    init?(_ bytes: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = head[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        self.status = status
        var headers: [(String, String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        self.headers = headers
        body = Array(bytes[(end + 4)...])
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) }
        let received = bytes.count - end - 4
        isComplete = length.map { received >= $0 } ?? false
    }

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var text: String { String(decoding: body, as: UTF8.self) }
}

struct HTTPTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
