import AS2Bytes
import AS2Crypto
import Foundation
import XCTest

/// Large payloads go through every operation with bounded memory: the content is read from a file in
/// chunks and output written to files.
final class StreamingTests: XCTestCase {
    func testLargePayloadsStreamWithBoundedMemory() throws {
        let size = Int(ProcessInfo.processInfo.environment["AS2CRYPTO_STREAM_MIB"] ?? "64")! << 20
        let dir = try TempDirectory()
        let payloadPath = dir.file("payload.bin")
        do {
            let sink = try FileSink(path: payloadPath)
            var written = 0
            let block = randomBytes(1 << 20, seed: 42)
            while written < size {
                try sink.write(block)
                written += block.count
            }
            try sink.close()
        }
        let payload = try FileByteSource(path: payloadPath)
        XCTAssertEqual(payload.count, size)
        // Warm up allocators and OpenSSL tables, then measure growth from here.
        _ = try CMS.signDetached(content: MemoryByteSource(randomBytes(1000)), signer: Fixtures.alice, digest: .sha256)
        XCTAssertTrue(resetPeakRSS(), "cannot reset the peak RSS")
        let baseline = peakRSS()
        XCTAssertLessThan(baseline - currentRSS(), 4 << 20, "peak RSS was not reset")
        var timings: [String] = []
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = Date()
            defer { timings.append(String(format: "%@ %.2fs", name, Date().timeIntervalSince(start))) }
            return try body()
        }

        let signature = try timed("sign") { try CMS.signDetached(content: payload, signer: Fixtures.alice, digest: .sha256) }
        let verification = timed("verify") { CMS.verifyDetached(signature: signature, content: payload, trusted: [Fixtures.alice.certificate]) }
        XCTAssertTrue(verification.isValid, "\(verification)")

        let envelopePath = dir.file("envelope.cms")
        try timed("encrypt") {
            let sink = try FileSink(path: envelopePath)
            try CMS.encrypt(content: payload, recipients: [Fixtures.bob.certificate], algorithm: .aes256CBC, to: sink)
            try sink.close()
        }
        let decryptedPath = dir.file("decrypted.bin")
        let result = try timed("decrypt") {
            let sink = try FileSink(path: decryptedPath)
            let result = try CMS.decrypt(envelope: FileByteSource(path: envelopePath), recipients: [Fixtures.bob], to: sink)
            try sink.close()
            return result
        }
        XCTAssertEqual(result.algorithm, .aes256CBC)
        let decrypted = try FileByteSource(path: decryptedPath)
        XCTAssertTrue(try timed("compare") { try decrypted.contentEquals(payload) })

        let gcmPath = dir.file("gcm.cms")
        try timed("encrypt-gcm") {
            let sink = try FileSink(path: gcmPath)
            try CMS.encrypt(content: payload, recipients: [Fixtures.bob.certificate], algorithm: .aes128GCM, keyTransport: .rsaOAEP, to: sink)
            try sink.close()
        }
        let gcmOut = DiscardSink()
        _ = try timed("decrypt-gcm") { try CMS.decrypt(envelope: FileByteSource(path: gcmPath), recipients: [Fixtures.bob], to: gcmOut) }
        XCTAssertEqual(gcmOut.bytesWritten, size)

        // Compression of random bytes is zlib-bound; a quarter of the payload shows the streaming.
        let compressedPath = dir.file("compressed.cms")
        let part = payload.slice(0..<(size / 4))
        try timed("compress") {
            let sink = try FileSink(path: compressedPath)
            try CMS.compress(content: part, to: sink)
            try sink.close()
        }
        let inflated = DiscardSink()
        try timed("decompress") {
            try CMS.decompress(compressed: FileByteSource(path: compressedPath), to: inflated, limits: DecompressionLimits())
        }
        XCTAssertEqual(inflated.bytesWritten, part.count)

        let growth = peakRSS() - baseline
        print("streaming \(size >> 20) MiB: \(timings.joined(separator: ", ")); peak RSS \(peakRSS() >> 20) MiB, growth \(growth >> 20) MiB")
        XCTAssertLessThan(growth, 48 << 20, "peak RSS grew by \(growth >> 20) MiB")
    }
}
