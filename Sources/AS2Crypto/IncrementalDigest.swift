internal import CAS2OpenSSL

/// A message digest fed piece by piece (MIC computation while bytes stream past).
/// `finalize()` returns the digest and starts over, so one instance can hash several messages.
public final class IncrementalDigest {
    public let algorithm: DigestAlgorithm
    private let ctx: OpaquePointer

    public init(_ algorithm: DigestAlgorithm) throws {
        OpenSSLErrorQueue.clear()
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openssl("EVP_MD_CTX_new failed") }
        guard EVP_DigestInit_ex(ctx, algorithm.evpMD, nil) == 1 else {
            EVP_MD_CTX_free(ctx)
            throw CryptoError.openssl(.unsupportedAlgorithm, "digest \(algorithm.rawValue) is not available")
        }
        self.algorithm = algorithm
        self.ctx = ctx
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // Cannot fail for an initialised software digest.
        _ = EVP_DigestUpdate(ctx, base, bytes.count)
    }

    /// The digest of everything fed since creation (or the previous `finalize()`).
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(ctx, &out, &length)
        _ = EVP_DigestInit_ex(ctx, algorithm.evpMD, nil)
        return Array(out.prefix(Int(length)))
    }
}
