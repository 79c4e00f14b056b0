#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tries to bind a listen address the way the server will (TCP, SO_REUSEADDR) and releases it
/// at once, so check-config can tell a busy or forbidden port before the agent starts.
enum ListenPortProbe {
    enum Outcome: Sendable, Equatable {
        case free
        case inUse
        case permissionDenied
        case unavailable(String)
    }

    static func probe(_ address: ListenAddress) -> Outcome {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0, let first = list else {
            return .unavailable("cannot resolve \(address.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let info = first.pointee
        let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard fd >= 0 else { return .unavailable(String(cString: strerror(errno))) }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if bind(fd, info.ai_addr, info.ai_addrlen) == 0, listen(fd, 1) == 0 { return .free }
        switch errno {
        case EADDRINUSE: return .inUse
        case EACCES, EPERM: return .permissionDenied
        case let code: return .unavailable(String(cString: strerror(code)))
        }
    }
}
