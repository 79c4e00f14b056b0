/// An `http` or `https` URL split into the parts a client needs: scheme, host, port, request
/// target, and optional user info (for a proxy's credentials).
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    public let isTLS: Bool
    /// Host name or IP literal, without brackets for IPv6.
    public let host: String
    public let port: Int
    /// Path and query, at least "/".
    public let target: String
    public let user: String?
    public let password: String?

    /// Parses `string`; nil unless it is an absolute http(s) URL with a host.
    public init?(_ string: String) {
        var rest = Substring(string)
        guard let schemeEnd = rest.firstRange(of: "://") else { return nil }
        switch rest[..<schemeEnd.lowerBound].lowercased() {
        case "http": isTLS = false
        case "https": isTLS = true
        default: return nil
        }
        rest = rest[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.isEmpty || target.first == "?" { target = "/" + target }
        guard !target.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else { return nil }
        self.target = target

        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = Self.percentDecoded(userInfo[..<colon])
                password = Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
            } else {
                user = Self.percentDecoded(userInfo)
                password = nil
            }
        } else {
            user = nil
            password = nil
        }

        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" || $0 == "\r" || $0 == "\n" }) else { return nil }
        if let portText, !portText.isEmpty {
            guard let port = Int(portText), (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            port = isTLS ? 443 : 80
        }
    }

    /// The default port of the scheme is in use.
    public var hasDefaultPort: Bool { port == (isTLS ? 443 : 80) }

    /// `host[:port]` as sent in `Host` and in `CONNECT` (IPv6 in brackets).
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return hasDefaultPort ? h : "\(h):\(port)"
    }

    /// `host:port` with the port always present (the CONNECT request target).
    public var authorityWithPort: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(h):\(port)"
    }

    /// The URL without user info, e.g. for an absolute-form request target through a proxy.
    public var description: String { (isTLS ? "https://" : "http://") + authority + target }

    /// True when `host` is an IPv4 or IPv6 literal (these are not sent as TLS server names).
    var hostIsIPAddress: Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    private static func percentDecoded(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let utf8 = s.utf8
        while i < utf8.endIndex {
            let c = utf8[i]
            if c == UInt8(ascii: "%"), let h1 = utf8.index(i, offsetBy: 1, limitedBy: utf8.endIndex), h1 < utf8.endIndex,
                let h2 = utf8.index(i, offsetBy: 2, limitedBy: utf8.endIndex), h2 < utf8.endIndex,
                let v = UInt8(String(decoding: [utf8[h1], utf8[h2]], as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                i = utf8.index(i, offsetBy: 3)
            } else {
                bytes.append(c)
                i = utf8.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
