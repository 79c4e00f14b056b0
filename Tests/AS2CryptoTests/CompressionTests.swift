import AS2Bytes
import AS2Crypto
import Foundation
import XCTest

final class CompressionTests: XCTestCase {
    var dir: TempDirectory!

    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() { dir = nil }

    private func compress(_ content: some ByteSource) throws -> [UInt8] {
        let sink = MemorySink(limit: 1 << 30)
        try CMS.compress(content: content, to: sink)
        return sink.bytes
    }

    private func decompress(_ bytes: [UInt8], limits: DecompressionLimits = DecompressionLimits()) throws -> [UInt8] {
        let sink = MemorySink(limit: 1 << 30)
        try CMS.decompress(compressed: MemoryByteSource(bytes), to: sink, limits: limits)
        return sink.bytes
    }

    /// Inflates a zlib stream with Python's zlib (an independent implementation).
    private func pythonInflate(_ stream: [UInt8]) throws -> [UInt8] {
        let path = try dir.write("stream.z", stream)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import sys, zlib; sys.stdout.buffer.write(zlib.decompress(open(sys.argv[1], 'rb').read()))", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return Array(data)
    }

    /// Compresses with Python's zlib.
    private func pythonDeflate(_ content: [UInt8]) throws -> [UInt8] {
        let path = try dir.write("plain.bin", content)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import sys, zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1], 'rb').read()))", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    /// A DER CompressedData around `stream`, with NULL or absent zlib parameters.
    private func compressedData(_ stream: [UInt8], nullParameters: Bool, algorithm: [UInt8] = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x03, 0x08]) -> [UInt8] {
        let compressedDataOID: [UInt8] = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x09]
        let dataOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]
        let algorithmID = TLV.encode(0x30, algorithm + (nullParameters ? [0x05, 0x00] : []))
        let encap = TLV.encode(0x30, dataOID + TLV.encode(0xa0, TLV.encode(0x04, stream)))
        let body = TLV.encode(0x30, [0x02, 0x01, 0x00] + algorithmID + encap)
        return TLV.encode(0x30, compressedDataOID + TLV.encode(0xa0, body))
    }

    func testRoundTripsSmallAndLargeContent() throws {
        // ~5 MiB of EDI-like text: compressible, but at a realistic ratio.
        let text = Array((0..<120_000).map { "UNH+\($0)+ORDERS:D:96A:UN'BGM+220+\($0 &* 7919 % 1_000_003)+9'\r\n" }.joined().utf8)
        let cases: [[UInt8]] = [[], randomBytes(1024, seed: 3), Array(text.prefix(5 << 20)), randomBytes(5 << 20, seed: 11)]
        for content in cases {
            let compressed = try compress(MemoryByteSource(content))
            XCTAssertEqual(try CMS.contentType(of: MemoryByteSource(compressed)), .compressedData)
            XCTAssertEqual(try decompress(compressed), content, "\(content.count) bytes")
        }
    }

    func testStructureIsRFC3274AndTheStreamIsPlainZlib() throws {
        let content = Array(String(repeating: "hello AS2 ", count: 500).utf8)
        let compressed = try compress(MemoryByteSource(content))
        XCTAssertLessThan(compressed.count, content.count / 10)
        let path = try dir.write("c.der", compressed)
        let dump = try openssl(["asn1parse", "-inform", "DER", "-in", path]).text
        XCTAssertTrue(dump.contains("id-smime-ct-compressedData"), dump)
        XCTAssertTrue(dump.contains("zlib compression") || dump.contains("id-smime-alg-zlibCompress") || dump.contains("ZLIB"), dump)
        XCTAssertTrue(dump.contains(":pkcs7-data"), dump)
        XCTAssertTrue(dump.contains("INTEGER           :00"), dump)
        XCTAssertFalse(dump.contains("NULL"), "zlib parameters must be absent")
        // Small output is DER (definite lengths): parse it and inflate the OCTET STRING with Python.
        let contentInfo = try TLV.parse(compressed)
        XCTAssertEqual(contentInfo.encoded.count, compressed.count)
        let encap = contentInfo.children[1].children[0].children[2]
        let stream = encap.children[1].children[0]
        XCTAssertEqual(stream.tag, 0x04)
        XCTAssertEqual(Array(stream.value.prefix(1)), [0x78], "zlib header")
        XCTAssertEqual(try pythonInflate(stream.value), content)
    }

    func testLargeOutputIsIndefiniteLengthBERThatOpenSSLParses() throws {
        let content = randomBytes(3 << 20, seed: 5)
        let compressed = try compress(MemoryByteSource(content))
        XCTAssertEqual(Array(compressed.prefix(2)), [0x30, 0x80])
        let path = try dir.write("big.ber", compressed)
        let dump = try openssl(["asn1parse", "-inform", "DER", "-in", path]).text
        XCTAssertTrue(dump.contains("id-smime-ct-compressedData"))
        XCTAssertEqual(try decompress(compressed), content)
    }

    func testAcceptsZlibFromPythonWithNullOrAbsentParameters() throws {
        let content = Array(String(repeating: "ISA*00*          *00*~", count: 300).utf8)
        let stream = try pythonDeflate(content)
        XCTAssertEqual(try decompress(compressedData(stream, nullParameters: true)), content)
        XCTAssertEqual(try decompress(compressedData(stream, nullParameters: false)), content)
        let otherAlgorithm: [UInt8] = [0x06, 0x03, 0x2a, 0x03, 0x04]
        assertThrowsCrypto(.unsupportedAlgorithm) { try decompress(compressedData(stream, nullParameters: false, algorithm: otherAlgorithm)) }
    }

    func testCorruptStreamsAreDecompressionFailed() throws {
        let content = randomBytes(20_000, seed: 9)
        let stream = try pythonDeflate(content)
        var badAdler = stream
        badAdler[badAdler.count - 1] ^= 0x01
        assertThrowsCrypto(.decompressionFailed) { try decompress(compressedData(badAdler, nullParameters: false)) }
        var badData = stream
        badData[2] ^= 0xff  // first DEFLATE block header
        assertThrowsCrypto(.decompressionFailed) { try decompress(compressedData(badData, nullParameters: false)) }
        assertThrowsCrypto(.decompressionFailed) { try decompress(compressedData(Array(stream.prefix(stream.count - 10)), nullParameters: false)) }
        assertThrowsCrypto(.decompressionFailed) { try decompress(compressedData([], nullParameters: false)) }
        assertThrowsCrypto(.malformedInput) { try decompress(Array("garbage".utf8)) }
        let enveloped = MemorySink()
        try CMS.encrypt(content: MemoryByteSource(content), recipients: [Fixtures.bob.certificate], algorithm: .aes128CBC, to: enveloped)
        assertThrowsCrypto(.malformedInput) { try decompress(enveloped.bytes) }
    }

    func testCompressionBombStopsAtTheSizeLimitQuicklyWithBoundedMemory() throws {
        // 1 GiB of zeros, produced on demand, compresses to about 1 MB.
        let bombPath = dir.file("bomb.cms")
        let sink = try FileSink(path: bombPath)
        try CMS.compress(content: ZeroByteSource(count: 1 << 30), to: sink)
        try sink.close()
        let bomb = try FileByteSource(path: bombPath)
        XCTAssertLessThan(bomb.count, 2 << 20)

        let rssBefore = currentRSS()
        let start = Date()
        let output = DiscardSink()
        do {
            try CMS.decompress(compressed: bomb, to: output, limits: DecompressionLimits(maxOutputBytes: 10 << 20, maxRatio: 100_000))
            XCTFail("the bomb was fully inflated")
        } catch let error as CryptoError {
            XCTAssertEqual(error.code, .decompressionLimitExceeded, error.message)
        }
        XCTAssertLessThanOrEqual(output.bytesWritten, 10 << 20)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertLessThan(currentRSS() - rssBefore, 16 << 20)

        // The default ratio limit (200) stops it too, long before the 1 GiB size limit.
        let ratioOutput = DiscardSink()
        assertThrowsCrypto(.decompressionLimitExceeded) {
            try CMS.decompress(compressed: bomb, to: ratioOutput, limits: DecompressionLimits())
        }
        XCTAssertLessThanOrEqual(ratioOutput.bytesWritten, bomb.count * 200)
    }

    func testRatioLimitSparesSmallRepetitiveDocuments() throws {
        let padded = [UInt8](repeating: 0x20, count: 200_000)  // ratio ~1000:1, but small
        let compressed = try compress(MemoryByteSource(padded))
        XCTAssertEqual(try decompress(compressed), padded)
        assertThrowsCrypto(.decompressionLimitExceeded) {
            try decompress(compressed, limits: DecompressionLimits(maxOutputBytes: 1 << 30, maxRatio: 200, ratioFloorBytes: 64 * 1024))
        }
        assertThrowsCrypto(.decompressionLimitExceeded) { try decompress(compressed, limits: DecompressionLimits(maxOutputBytes: 100_000)) }
        XCTAssertEqual(try decompress(compressed, limits: DecompressionLimits(maxOutputBytes: 200_000)), padded)
    }
}
