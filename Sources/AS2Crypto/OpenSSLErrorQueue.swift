internal import CAS2OpenSSL

/// OpenSSL's thread-local error queue. Every public operation clears it on entry and drains it into
/// the message of any error it throws, so a failure never reports a stale reason.
enum OpenSSLErrorQueue {
    /// Forgets errors left by earlier calls.
    static func clear() { ERR_clear_error() }

    /// Empties the queue and returns its entries as "lib:reason" lines joined by "; ".
    static func drain() -> String {
        var parts: [String] = []
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            var text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let data, flags & ERR_TXT_STRING != 0 {
                let extra = String(cString: data)
                if !extra.isEmpty { text += " (\(extra))" }
            }
            parts.append(text)
        }
        return parts.joined(separator: "; ")
    }

    /// Empties the queue and returns the reason codes of its entries, oldest first.
    static func drainReasons() -> [(library: Int32, reason: Int32, text: String)] {
        var out: [(Int32, Int32, String)] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            out.append((ERR_GET_LIB(code), ERR_GET_REASON(code), text))
        }
        return out
    }
}

extension CryptoError {
    /// An error whose message is `what` followed by everything on OpenSSL's error queue.
    static func openssl(_ what: String) -> CryptoError { openssl(.openssl, what) }

    /// An error with `code` whose message is `what` followed by OpenSSL's error queue.
    static func openssl(_ code: Code, _ what: String) -> CryptoError {
        let queue = OpenSSLErrorQueue.drain()
        return CryptoError(code, queue.isEmpty ? what : "\(what): \(queue)")
    }
}
