import AS2Bytes

/// One-shot message digests over byte sources, read in chunks (never loaded whole).
public enum Digest {
    /// The digest of the whole of `source`.
    public static func compute(_ algorithm: DigestAlgorithm, over source: some ByteSource) throws -> [UInt8] {
        let digest = try IncrementalDigest(algorithm)
        do {
            try source.forEachChunk { digest.update($0) }
        } catch let error as ByteError {
            throw CryptoError(.io, "reading the content to hash: \(error)")
        }
        return digest.finalize()
    }

    /// The digest of `bytes`.
    public static func compute(_ algorithm: DigestAlgorithm, over bytes: [UInt8]) throws -> [UInt8] {
        let digest = try IncrementalDigest(algorithm)
        digest.update(bytes)
        return digest.finalize()
    }
}
