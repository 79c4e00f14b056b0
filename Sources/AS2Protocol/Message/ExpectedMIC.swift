import AS2Bytes
import AS2Crypto
import Foundation

/// A MIC the sender computed at build time, to compare with the partner's Received-Content-MIC
/// (R-MICALG-3). Several may exist per algorithm where the RFCs disagree on the input
/// (requirements §8.1): each carries the name of its variant for the log.
public struct ExpectedMIC: Sendable, Equatable, Codable {
    public let algorithm: DigestAlgorithm
    public let digest: [UInt8]
    public let variant: String

    public init(algorithm: DigestAlgorithm, digest: [UInt8], variant: String) {
        self.algorithm = algorithm
        self.digest = digest
        self.variant = variant
    }

    public var base64: String { Data(digest).base64EncodedString() }
}

/// Computes several digests of one source in a single pass.
enum MultiDigest {
    static func compute(_ algorithms: Set<DigestAlgorithm>, over source: some ByteSource) throws -> [DigestAlgorithm: [UInt8]] {
        guard !algorithms.isEmpty else { return [:] }
        let ordered = algorithms.sorted()
        let digests = try ordered.map { try IncrementalDigest($0) }
        try source.forEachChunk { chunk in
            for d in digests { d.update(chunk) }
        }
        var out: [DigestAlgorithm: [UInt8]] = [:]
        for (a, d) in zip(ordered, digests) { out[a] = d.finalize() }
        return out
    }
}
