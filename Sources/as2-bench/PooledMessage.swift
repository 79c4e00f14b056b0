import AS2Bytes
import AS2Protocol

/// One prebuilt message body with what its receipt must show.
struct PooledMessage: Sendable {
    let headers: [(String, String)]
    let body: MemoryByteSource
    let expectedMICs: [ExpectedMIC]
}
