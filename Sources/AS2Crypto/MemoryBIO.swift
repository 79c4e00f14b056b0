internal import CAS2OpenSSL

/// Owner of an OpenSSL memory BIO: the buffer through which small inputs reach OpenSSL and its
/// outputs come back (PEM text, DER structures, chunks of a streamed envelope).
final class MemoryBIO {
    private let bio: OpaquePointer
    /// Reused buffer for `drain`.
    private var scratch: [UInt8] = []

    /// An empty, writable BIO. Reads at the end report "retry" until `markEndOfData()`.
    init() throws {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openssl("BIO_new failed") }
        self.bio = bio
    }

    /// A BIO holding a copy of `bytes`, which reads as end-of-data once consumed.
    convenience init(_ bytes: [UInt8]) throws {
        try self.init()
        try write(bytes)
        markEndOfData()
    }

    deinit { BIO_free(bio) }

    /// Runs `body` with the BIO pointer, keeping this owner alive for the call.
    func withBIO<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(bio) }
    }

    /// Makes reads at the end of the buffer return 0 (end of data) instead of "retry".
    func markEndOfData() { _ = as2_BIO_set_mem_eof_return(bio, 0) }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var done = 0
        while done < bytes.count {
            let n = BIO_write(bio, base + done, Int32(min(bytes.count - done, Int(Int32.max))))
            guard n > 0 else { throw CryptoError.openssl("writing to a memory BIO failed") }
            done += Int(n)
        }
    }

    /// Everything currently buffered, without consuming it.
    var contents: [UInt8] {
        var pointer: UnsafeMutablePointer<CChar>?
        let n = as2_BIO_get_mem_data(bio, &pointer)
        guard n > 0, let pointer else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: n) { Array(UnsafeBufferPointer(start: $0, count: n)) }
    }

    /// The buffered bytes as text (PEM, printed names).
    var string: String { String(decoding: contents, as: UTF8.self) }

    /// Consumes the buffered bytes, handing them to `body` in pieces of at most 64 KiB.
    func drain(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: 64 * 1024) }
        while true {
            let n = scratch.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else { return }
            try scratch.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(n)])) }
        }
    }
}
