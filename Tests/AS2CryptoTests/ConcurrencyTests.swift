import AS2Bytes
import AS2Crypto
import XCTest

/// Certificates, keys and identities are shared between tasks: concurrent use gives the same results.
final class ConcurrencyTests: XCTestCase {
    func testSharedIdentitiesWorkFromManyTasksAtOnce() async throws {
        let alice = Fixtures.alice
        let bob = Fixtures.bob
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let content = MemoryByteSource(randomBytes(10_000 + i, seed: UInt64(i + 1)))
                    let signature = try CMS.signDetached(content: content, signer: alice, digest: i % 2 == 0 ? .sha256 : .sha512,
                                                         scheme: i % 3 == 0 ? .rsaPSS : .rsaPKCS1v15)
                    guard CMS.verifyDetached(signature: signature, content: content, trusted: [alice.certificate]).isValid else { return false }
                    let envelope = MemorySink()
                    try CMS.encrypt(content: content, recipients: [bob.certificate], algorithm: i % 2 == 0 ? .aes256CBC : .aes128GCM, to: envelope)
                    let plain = MemorySink()
                    _ = try CMS.decrypt(envelope: MemoryByteSource(envelope.bytes), recipients: [alice, bob], to: plain)
                    return plain.bytes == content.bytes && alice.certificate.sha256Fingerprint.count == 95
                }
            }
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        XCTAssertEqual(outcomes, [Bool](repeating: true, count: 16))
    }
}
