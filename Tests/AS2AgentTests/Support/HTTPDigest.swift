import AS2Bytes
import Foundation
import AS2Crypto

/// SHA-256 in lowercase hex, as sidecars write it.
enum HTTPDigest {
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digest = (try? Digest.compute(.sha256, over: MemoryByteSource(bytes))) ?? []
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
