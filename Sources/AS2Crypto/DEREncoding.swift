internal import CAS2OpenSSL

/// DER encoding of OpenSSL objects through their `i2d_*` function.
enum DEREncoding {
    /// Calls `encode` twice (size, then bytes), as the `i2d_*` convention wants.
    static func encode(_ what: String, _ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws -> [UInt8] {
        let size = encode(nil)
        guard size > 0 else { throw CryptoError.openssl("encoding \(what) failed") }
        var out = [UInt8](repeating: 0, count: Int(size))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var p: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return encode(&p)
        }
        guard written == size else { throw CryptoError.openssl("encoding \(what) failed") }
        return out
    }

    /// Calls a `d2i_*` function over `bytes`; nil when it does not parse or leaves bytes over.
    static func decode(_ bytes: [UInt8], _ decode: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> OpaquePointer?) -> OpaquePointer? {
        bytes.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            guard let base = buffer.baseAddress else { return nil }
            var p: UnsafePointer<UInt8>? = base
            return decode(&p, buffer.count)
        }
    }
}
