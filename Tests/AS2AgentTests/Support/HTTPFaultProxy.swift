import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A one-request-per-connection TCP proxy on 127.0.0.1 in front of an agent, for network faults:
/// refuse, swallow the request, or forward it and cut the connection before the response.
final class HTTPFaultProxy: Sendable {
    enum Mode: Sendable, Equatable {
        /// Forward the request and the response.
        case passThrough
        /// Forward the request, read the response, close without sending it (the MDN is lost).
        case dropResponse
        /// Close at once (the peer looks down).
        case closeImmediately
        /// Read the request and never answer (until the proxy stops).
        case blackhole
        /// Forward the request, read the response, hold it for the given seconds, then send it.
        case delayResponse(TimeInterval)
    }

    struct State {
        var queued: [Mode] = []
        var mode: Mode
        var connections = 0
        var stopped = false
    }

    let port: Int
    let upstreamPort: Int
    private let listener: Int32
    private let state: Mutex<State>

    init(upstreamPort: Int, mode: Mode) throws {
        self.upstreamPort = upstreamPort
        state = Mutex(State(mode: mode))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw HTTPTestError("proxy cannot listen")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Modes for the next connections, in order; afterwards `mode` applies.
    func queue(_ modes: Mode...) { state.withLock { $0.queued += modes } }
    func setMode(_ mode: Mode) { state.withLock { $0.mode = mode } }
    var connections: Int { state.withLock { $0.connections } }

    func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stopped = true }
            return !s.stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop() {
        while !stopped {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let mode = state.withLock { s -> Mode in
                s.connections += 1
                return s.queued.isEmpty ? s.mode : s.queued.removeFirst()
            }
            Thread { [self] in serve(client, mode: mode) }.start()
        }
    }

    private func serve(_ client: Int32, mode: Mode) {
        defer { close(client) }
        if mode == .closeImmediately { return }
        var tv = timeval()
        tv.tv_sec = 15
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readRequest(client) else { return }
        if mode == .blackhole {
            while !stopped { Thread.sleep(forTimeInterval: 0.05) }
            return
        }
        guard let upstream = try? HTTPSocket.connect(port: upstreamPort, timeout: 30) else { return }
        defer { close(upstream) }
        HTTPSocket.write(upstream, request)
        let response = HTTPSocket.readResponse(upstream)
        if mode == .dropResponse { return }
        if case .delayResponse(let seconds) = mode { Thread.sleep(forTimeInterval: seconds) }
        HTTPSocket.write(client, response)
    }

    /// Head and Content-Length body (the agent's client sends Content-Length unless chunked is configured).
    private func readRequest(_ fd: Int32) -> [UInt8]? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var needed: Int?
        while true {
            if needed == nil, let end = Self.headEnd(data) {
                let head = String(decoding: data[0..<end], as: UTF8.self).lowercased()
                let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                needed = end + 4 + length
                if head.contains("expect: 100-continue") { HTTPSocket.write(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
            }
            if let needed, data.count >= needed, let end = Self.headEnd(data) {
                // The proxy answered 100 Continue itself; upstream gets the request without Expect.
                let lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let head = lines.filter { !$0.lowercased().hasPrefix("expect:") }.joined(separator: "\r\n")
                return Array(head.utf8) + Array(data[end...])
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            data += buffer[0..<n]
        }
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }
}
