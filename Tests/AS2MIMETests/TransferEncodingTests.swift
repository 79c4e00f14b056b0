import AS2Bytes
import XCTest

@testable import AS2MIME

final class TransferEncodingTests: XCTestCase {
    func testStrictBase64RejectsNonAlphabetCharacters() {
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TWFu*TWFu"))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TWFu-TWFu"))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TWFu\u{0B}"))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TWFuä"))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64(String(repeating: "*", count: 8)))
    }

    func testStrictBase64RejectsBadPaddingAndTrailingData() {
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TWE"))  // missing padding
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TW=="  + "x"))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TW==TWFu"))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("T==="))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TWFu===="))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TW=a"))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TW="))
        XCTAssertMIMEError(.invalidBase64, try TransferEncoding.decodeBase64("TWFu="))
    }

    func testBase64WhitespaceIsSkipped() throws {
        XCTAssertEqual(try TransferEncoding.decodeBase64("TW\r\nFu\tIG\n Nh cg==\r\n \r\n"), [UInt8]("Man car"))
        XCTAssertEqual(try TransferEncoding.decodeBase64("TWE="), [UInt8]("Ma"))
        XCTAssertEqual(try TransferEncoding.decodeBase64("TQ=="), [UInt8]("M"))
        XCTAssertEqual(try TransferEncoding.decodeBase64(""), [])
        XCTAssertEqual(try TransferEncoding.decodeBase64("\r\n"), [])
    }

    func testBase64StreamingRoundTripWithRandomData() throws {
        var rng = SystemRandomNumberGenerator()
        let sizes = [0, 1, 2, 3, 4, 56, 57, 58, 76, 1000] + (0..<10).map { _ in Int(rng.next(upperBound: UInt64(10 * 1024 + 1))) } + [10 * 1024]
        for size in sizes {
            let data = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let encoded = MemorySink()
            try TransferEncoding.encodeBase64(MemoryByteSource(data), to: encoded)
            let text = String(decoding: encoded.bytes, as: UTF8.self)
            XCTAssertEqual(text, TransferEncoding.encodeBase64(data), "size \(size)")
            let lines = text.components(separatedBy: "\r\n")
            XCTAssertTrue(lines.allSatisfy { $0.count <= 76 && !$0.contains("\n") }, "size \(size)")
            XCTAssertTrue(lines.dropLast().allSatisfy { $0.count == 76 }, "size \(size)")
            // Decode through the streaming API, from a source made of small pieces.
            let pieces = stride(from: 0, to: encoded.bytes.count, by: 7).map {
                MemoryByteSource(Array(encoded.bytes[$0..<min($0 + 7, encoded.bytes.count)]))
            }
            let decoded = MemorySink()
            try TransferEncoding.decodeBase64(ConcatenatedByteSource(pieces), to: decoded)
            XCTAssertEqual(decoded.bytes, data, "size \(size)")
        }
    }

    func testBase64DecoderIsIndependentOfChunkSplits() throws {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let text = [UInt8](TransferEncoding.encodeBase64(data, lineLength: 20) + "\r\n")
        for split in 1...9 {
            var decoder = Base64Decoder()
            var out: [UInt8] = []
            for start in stride(from: 0, to: text.count, by: split) {
                try decoder.feed(Array(text[start..<min(start + split, text.count)]), into: &out)
            }
            try decoder.finish()
            XCTAssertEqual(out, data, "split \(split)")
        }
    }

    func testBase64EncodingForms() {
        XCTAssertEqual(TransferEncoding.encodeBase64([UInt8]("Man"), lineLength: nil), "TWFu")
        XCTAssertEqual(TransferEncoding.encodeBase64([UInt8]("Ma")), "TWE=")
        XCTAssertEqual(TransferEncoding.encodeBase64([UInt8]("M")), "TQ==")
        XCTAssertEqual(TransferEncoding.encodeBase64([UInt8]("ManMan"), lineLength: 4), "TWFu\r\nTWFu")
        XCTAssertEqual(TransferEncoding.encodeBase64([UInt8](repeating: 0, count: 100), lineLength: nil).count, 136)
    }

    func testLooksLikeBase64() throws {
        XCTAssertTrue(try TransferEncoding.looksLikeBase64(MemoryByteSource("MIAGCSqG\r\nSIb3DQ==\r\n")))
        XCTAssertFalse(try TransferEncoding.looksLikeBase64(MemoryByteSource([0x30, 0x82, 0x01, 0x0A])))
        XCTAssertFalse(try TransferEncoding.looksLikeBase64(MemoryByteSource("")))
    }

    func testQuotedPrintableDecoding() throws {
        func qp(_ s: String) throws -> String {
            let sink = MemorySink()
            try TransferEncoding.decodeQuotedPrintable(MemoryByteSource(s), to: sink)
            return String(decoding: sink.bytes, as: UTF8.self)
        }
        XCTAssertEqual(try qp("a=3Db=3db"), "a=b=b")
        XCTAssertEqual(try qp("caf=C3=A9\r\n"), "café\r\n")
        XCTAssertEqual(try qp("soft=\r\nbreak"), "softbreak")
        XCTAssertEqual(try qp("soft=  \r\nbreak=\nlf"), "softbreaklf")
        XCTAssertEqual(try qp("trailing   \r\nspace\t \nkept inside"), "trailing\r\nspace\nkept inside")
        XCTAssertEqual(try qp("end="), "end")
        XCTAssertEqual(try qp("lone\rcr"), "lone\rcr")
        XCTAssertMIMEError(.invalidQuotedPrintable, try qp("bad=G1"))
        XCTAssertMIMEError(.invalidQuotedPrintable, try qp("bad=4"))
        XCTAssertMIMEError(.invalidQuotedPrintable, try qp("bad=4x"))
        XCTAssertMIMEError(.invalidQuotedPrintable, try qp("bad= x"))
    }

    func testQuotedPrintableDecoderIsIndependentOfChunkSplits() throws {
        let text = [UInt8]("Gr=C3=BC=C3=9Fe   \r\nsoft=\r\nline=20end \t=\r\n=3D\r\nx")
        var reference = QuotedPrintableDecoder()
        var expected: [UInt8] = []
        try reference.feed(text, into: &expected)
        try reference.finish(into: &expected)
        XCTAssertEqual(String(decoding: expected, as: UTF8.self), "Grüße\r\nsoftline end \t=\r\nx")
        for split in 1...6 {
            var decoder = QuotedPrintableDecoder()
            var out: [UInt8] = []
            for start in stride(from: 0, to: text.count, by: split) {
                try decoder.feed(Array(text[start..<min(start + split, text.count)]), into: &out)
            }
            try decoder.finish(into: &out)
            XCTAssertEqual(out, expected, "split \(split)")
        }
    }

    func testDecodeByContentTransferEncoding() throws {
        func decode(_ cte: String?, _ body: String) throws -> [UInt8] {
            var headers = MIMEHeaders([("Content-Type", "application/octet-stream")])
            if let cte { headers.add("Content-Transfer-Encoding", cte) }
            let sink = MemorySink()
            try TransferEncoding.decode(MIMEEntity(headers: headers, body: MemoryByteSource(body)), to: sink)
            return sink.bytes
        }
        XCTAssertEqual(try decode(nil, "TWFu"), [UInt8]("TWFu"))
        XCTAssertEqual(try decode("binary", "TWFu"), [UInt8]("TWFu"))
        XCTAssertEqual(try decode("7bit", "a=3D"), [UInt8]("a=3D"))
        XCTAssertEqual(try decode("8BIT", "x"), [UInt8]("x"))
        XCTAssertEqual(try decode("Base64", "TWFu\r\n"), [UInt8]("Man"))
        XCTAssertEqual(try decode(" quoted-printable ", "a=3D"), [UInt8]("a="))
        XCTAssertMIMEError(.unsupportedTransferEncoding, try decode("x-uuencode", "x"))
        XCTAssertMIMEError(.invalidBase64, try decode("base64", "TW*u"))
    }
}

final class MIMEWriterTests: XCTestCase {
    func testEntityLayout() throws {
        let e = MIMEWriter.entity(headers: MIMEHeaders([("Content-Type", "text/plain"), ("Content-Transfer-Encoding", "binary")]), body: MemoryByteSource("hi"))
        XCTAssertEqual(try e.readAll(), [UInt8]("Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\nhi"))
        XCTAssertEqual(try MIMEWriter.entity(headers: MIMEHeaders(), body: MemoryByteSource("x")).readAll(), [UInt8]("\r\nx"))
    }

    func testMultipartLayout() throws {
        let m = MIMEWriter.multipart(boundary: "b", parts: [MemoryByteSource("P1"), MemoryByteSource("P2")])
        XCTAssertEqual(try m.readAll(), [UInt8]("--b\r\nP1\r\n--b\r\nP2\r\n--b--\r\n"))
        let p = MIMEWriter.multipart(boundary: "b", parts: [MemoryByteSource("P1")], preamble: "Signed message")
        XCTAssertEqual(try p.readAll(), [UInt8]("Signed message\r\n--b\r\nP1\r\n--b--\r\n"))
    }

    func testRandomBoundaries() {
        let a = MIMEWriter.randomBoundary()
        let b = MIMEWriter.randomBoundary()
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(a.hasPrefix("----=_Part_"))
        XCTAssertLessThanOrEqual(a.count, 70)
        XCTAssertEqual(a.count, 11 + 32)
        let long = MIMEWriter.randomBoundary(prefix: String(repeating: "p", count: 100))
        XCTAssertEqual(long.count, 70)
        XCTAssertTrue(long.utf8.allSatisfy { $0 > 32 && $0 < 127 })
    }
}
