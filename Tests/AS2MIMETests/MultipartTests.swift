import AS2Bytes
import AS2MIME
import XCTest

final class MultipartTests: XCTestCase {
    static let payloadPart =
        "Content-Type: application/edi-x12\r\nContent-Transfer-Encoding: binary\r\n\r\nISA*00*~\r\n--b not at start? no: \"x--b\"\r\ndata --b inside\r\n--bX is longer\r\nIEA*1~\r\n"
    static let signaturePart =
        "Content-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n"
    static let signedBody =
        "This is an S/MIME signed message\r\n--b\r\n" + payloadPart + "\r\n--b\r\n" + signaturePart + "\r\n--b--\r\n"
    static let signedEntity =
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b\"\r\n\r\n" + signedBody

    func testSignedMultipartPartsAreExactByteRanges() throws {
        let source = MemoryByteSource(Self.signedEntity)
        let entity = try MIMEEntity.parse(source)
        let mp = try Multipart.parse(entity)
        XCTAssertEqual(mp.boundary, "b")
        XCTAssertEqual(mp.parts.count, 2)
        XCTAssertTrue(mp.isClosed)
        XCTAssertEqual(try mp.parts[0].bytes.readAll(), [UInt8](Self.payloadPart))
        XCTAssertEqual(try mp.parts[1].bytes.readAll(), [UInt8](Self.signaturePart))
        XCTAssertEqual(try mp.parts[0].body.readAll(), [UInt8]("ISA*00*~\r\n--b not at start? no: \"x--b\"\r\ndata --b inside\r\n--bX is longer\r\nIEA*1~\r\n"))
        XCTAssertEqual(mp.parts[0].contentType?.mimeType, "application/edi-x12")
        XCTAssertEqual(mp.parts[1].transferEncoding, "base64")
        XCTAssertEqual(try source.slice(mp.preambleRange).readAll(), [UInt8]("This is an S/MIME signed message"))
        XCTAssertEqual(mp.epilogueRange.count, 0)
        XCTAssertEqual(mp.epilogueRange.lowerBound, source.count)
        // Parts index the original source: no copies.
        XCTAssertTrue(mp.parts[0].source is MemoryByteSource)
        let offset = Self.signedEntity.utf8.count - Self.signedBody.utf8.count
        XCTAssertEqual(mp.parts[0].range.lowerBound, offset + "This is an S/MIME signed message\r\n--b\r\n".utf8.count)
    }

    func testChunkBoundaryIndependence() throws {
        let (dir, cleanup) = try makeTemporaryDirectory()
        defer { cleanup() }
        let bytes = [UInt8](Self.signedEntity + "epilogue\r\n")
        let reference = try describe(Multipart.parse(MIMEEntity.parse(MemoryByteSource(bytes))))
        for (name, source) in try equivalentSources(bytes, directory: dir) {
            for chunk in [1, 2, 3, 4, 5, 7, 11, 16, 64, 1000] {
                let limits = MIMELimits(chunkSize: chunk)
                let mp = try Multipart.parse(MIMEEntity.parse(source, limits: limits), limits: limits)
                XCTAssertEqual(try describe(mp), reference, "\(name), chunk \(chunk)")
            }
        }
    }

    /// Ranges and bytes of every part, as comparable values.
    private func describe(_ mp: Multipart) throws -> [String] {
        var out = ["pre \(mp.preambleRange)", "epi \(mp.epilogueRange)", "closed \(mp.isClosed)"]
        for p in mp.parts {
            out.append("\(p.headerRange) \(p.bodyRange) \(p.headers.map(\.description)) \(try p.bytes.readAll())")
        }
        return out
    }

    func testTransportPaddingEpilogueAndEmptyPreamble() throws {
        let body = "--b \t\r\nA: 1\r\n\r\none\r\n--b\t\r\n\r\ntwo\r\n--b-- \r\n\r\ntrailing epilogue\r\n"
        let source = MemoryByteSource("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body)
        let mp = try Multipart.parse(MIMEEntity.parse(source))
        XCTAssertEqual(mp.preambleRange.count, 0)
        XCTAssertEqual(mp.parts.count, 2)
        XCTAssertEqual(try mp.parts[0].bytes.readAll(), [UInt8]("A: 1\r\n\r\none"))
        XCTAssertEqual(try mp.parts[1].body.readAll(), [UInt8]("two"))
        XCTAssertEqual(try source.slice(mp.epilogueRange).readAll(), [UInt8]("\r\ntrailing epilogue\r\n"))
    }

    func testBodyStartingWithCRLFBeforeFirstDelimiterHasEmptyPreamble() throws {
        let source = MemoryByteSource("Content-Type: multipart/mixed; boundary=b\r\n\r\n\r\n--b\r\n\r\nx\r\n--b--")
        let mp = try Multipart.parse(MIMEEntity.parse(source))
        XCTAssertEqual(mp.preambleRange.count, 0)
        XCTAssertEqual(try mp.parts[0].body.readAll(), [UInt8]("x"))
        XCTAssertTrue(mp.isClosed)
    }

    func testBareLFMultipartLikeMendelsonCapture() throws {
        let text = "Content-Type: multipart/report; report-type=disposition-notification;\n\tboundary=\"----=_Part_0_1\"\n\n"
            + "------=_Part_0_1\nContent-Type: text/plain\n\nThank you.\n\n"
            + "------=_Part_0_1\nContent-Type: message/disposition-notification\n\nDisposition: automatic-action/MDN-sent-automatically; processed\n\n"
            + "------=_Part_0_1--"
        let entity = try MIMEEntity.parse(MemoryByteSource(text))
        XCTAssertEqual(entity.headerLineEnding, .lf)
        let mp = try Multipart.parse(entity)
        XCTAssertEqual(mp.parts.count, 2)
        XCTAssertEqual(try mp.parts[0].bytes.readAll(), [UInt8]("Content-Type: text/plain\n\nThank you.\n"))
        XCTAssertEqual(
            try mp.parts[1].body.readAll(), [UInt8]("Disposition: automatic-action/MDN-sent-automatically; processed\n"))
        XCTAssertEqual(mp.parts[1].contentType?.mimeType, "message/disposition-notification")
    }

    func testPartWithoutHeaders() throws {
        // Sterling's first report part: an empty line right after the delimiter.
        let source = MemoryByteSource(
            "Content-Type: multipart/report; Report-Type=disposition-notification; boundary=S\r\n\r\n"
                + "--S\r\n\r\nThe message was received.\r\n--S\r\nContent-Type: message/disposition-notification\r\n\r\nX\r\n--S--\r\n")
        let mp = try Multipart.parse(MIMEEntity.parse(source))
        XCTAssertTrue(mp.parts[0].headers.isEmpty)
        XCTAssertEqual(mp.parts[0].headerRange.count, 0)
        XCTAssertEqual(try mp.parts[0].body.readAll(), [UInt8]("The message was received."))
        XCTAssertEqual(try mp.parts[0].bytes.readAll(), [UInt8]("\r\nThe message was received."))
        XCTAssertNil(mp.parts[0].contentType)
    }

    func testPartStartingWithTextIsReadAsBodyOnly() throws {
        let source = MemoryByteSource("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nJust text, no headers\r\nmore\r\n--b--")
        let mp = try Multipart.parse(MIMEEntity.parse(source))
        XCTAssertTrue(mp.parts[0].headers.isEmpty)
        XCTAssertEqual(try mp.parts[0].body.readAll(), [UInt8]("Just text, no headers\r\nmore"))
    }

    func testEmptyParts() throws {
        let source = MemoryByteSource("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\n\r\n--b--")
        let mp = try Multipart.parse(MIMEEntity.parse(source))
        XCTAssertEqual(mp.parts.count, 2)
        XCTAssertEqual(mp.parts[0].range.count, 0)
        XCTAssertEqual(mp.parts[1].range.count, 0)
    }

    func testNestedMultipart() throws {
        let report = "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"inner\"\r\n\r\n"
            + "--inner\r\nContent-Type: text/plain\r\n\r\nhuman\r\n--inner\r\nContent-Type: message/disposition-notification\r\n\r\nmachine\r\n--inner--\r\n"
        let signed = "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha1; boundary=\"outer\"\r\n\r\n"
            + "--outer\r\n" + report + "\r\n--outer\r\nContent-Type: application/pkcs7-signature\r\n\r\nSIG\r\n--outer--\r\n"
        let source = MemoryByteSource(signed)
        let outer = try Multipart.parse(MIMEEntity.parse(source))
        XCTAssertEqual(try outer.parts[0].bytes.readAll(), [UInt8](report))
        let inner = try Multipart.parse(outer.parts[0])
        XCTAssertEqual(inner.parts.count, 2)
        XCTAssertEqual(try inner.parts[1].body.readAll(), [UInt8]("machine"))
        XCTAssertEqual(try source.slice(inner.parts[0].body.range).readAll(), [UInt8]("human"))

        let leaves = try Multipart.leaves(of: MIMEEntity.parse(source))
        XCTAssertEqual(leaves.map { $0.contentType?.mimeType ?? "-" }, ["text/plain", "message/disposition-notification", "application/pkcs7-signature"])
        XCTAssertMIMEError(.depthExceeded, try Multipart.leaves(of: MIMEEntity.parse(source), limits: MIMELimits(maxDepth: 1)))
        XCTAssertMIMEError(.tooManyParts, try Multipart.leaves(of: MIMEEntity.parse(source), limits: MIMELimits(maxParts: 2)))
    }

    func testMissingCloseDelimiter() throws {
        let text = "Content-Type: multipart/report; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n"
        let entity = try MIMEEntity.parse(MemoryByteSource(text))
        XCTAssertMIMEError(.unterminatedMultipart, try Multipart.parse(entity))
        let mp = try Multipart.parse(entity, requireClose: false)
        XCTAssertFalse(mp.isClosed)
        XCTAssertEqual(mp.parts.count, 2)
        XCTAssertEqual(try mp.parts[1].body.readAll(), [UInt8]("two"))
    }

    func testDamagedCloseDelimiterLikeRFC4130A4() throws {
        let text = "Content-Type: multipart/signed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\nsignature\r\n--b-\r\n"
        let entity = try MIMEEntity.parse(MemoryByteSource(text))
        XCTAssertMIMEError(.unterminatedMultipart, try Multipart.parse(entity))
        for chunk in [1, 2, 3, 5, 8, 13, 64 * 1024] {
            let mp = try Multipart.parse(entity, limits: MIMELimits(chunkSize: chunk), requireClose: false)
            XCTAssertEqual(try mp.parts[1].body.readAll(), [UInt8]("signature"), "chunk \(chunk)")
            XCTAssertFalse(mp.isClosed)
        }
        let onlyDamaged = try MIMEEntity.parse(MemoryByteSource("Content-Type: multipart/signed; boundary=b\r\n\r\n--b\r\n--b-\r\n"))
        XCTAssertEqual(try Multipart.parse(onlyDamaged, requireClose: false).parts.map(\.range.count), [0])
    }

    func testTruncatedSignedMessageIsUnterminated() throws {
        let bytes = [UInt8](Self.signedEntity)
        let truncated = Array(bytes[0..<(bytes.count - 12)])
        XCTAssertMIMEError(.unterminatedMultipart, try Multipart.parse(MIMEEntity.parse(MemoryByteSource(truncated))))
    }

    func testBoundaryProblems() throws {
        XCTAssertMIMEError(
            .missingBoundary, try Multipart.parse(MIMEEntity.parse(MemoryByteSource("Content-Type: multipart/mixed\r\n\r\n--b\r\n"))))
        XCTAssertMIMEError(
            .missingBoundary,
            try Multipart.parse(MIMEEntity.parse(MemoryByteSource("Content-Type: multipart/mixed; boundary=zz\r\n\r\nno delimiter --zz\r\n"))))
        XCTAssertMIMEError(
            .invalidContentType, try Multipart.parse(MIMEEntity.parse(MemoryByteSource("Content-Type: text/plain; boundary=b\r\n\r\n--b\r\n"))))
        XCTAssertMIMEError(.invalidContentType, try Multipart.parse(MIMEEntity.parse(MemoryByteSource("X: y\r\n\r\n--b\r\n"))))
    }

    func testTooManyParts() throws {
        let body = (0..<5).map { "--b\r\n\r\npart \($0)\r\n" }.joined() + "--b--\r\n"
        let entity = try MIMEEntity.parse(MemoryByteSource("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body))
        XCTAssertMIMEError(.tooManyParts, try Multipart.parse(entity, limits: MIMELimits(maxParts: 4)))
        XCTAssertEqual(try Multipart.parse(entity, limits: MIMELimits(maxParts: 5)).parts.count, 5)
    }

    func testRandomBoundariesAreDistinctLettersAndDigits() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var seen = Set<String>()
        var counts: [Character: Int] = [:]
        for _ in 0..<2000 {
            let boundary = MIMEWriter.randomBoundary()
            XCTAssertTrue(boundary.hasPrefix("----=_Part_"), boundary)
            let random = boundary.dropFirst("----=_Part_".count)
            XCTAssertEqual(random.count, 32, boundary)
            XCTAssertTrue(random.allSatisfy(alphabet.contains), boundary)
            for c in random { counts[c, default: 0] += 1 }
            seen.insert(boundary)
        }
        XCTAssertEqual(seen.count, 2000)
        // 64,000 characters over 62 letters and digits: each about 1,032 times, none far off.
        XCTAssertEqual(counts.count, 62)
        XCTAssertTrue(counts.values.allSatisfy { (800...1300).contains($0) }, "\(counts)")
        XCTAssertEqual(MIMEWriter.randomBoundary(prefix: String(repeating: "p", count: 80)).count, 70)
    }

    func testWriterOutputParsesBackToTheSameBinaryParts() throws {
        var rng = SystemRandomNumberGenerator()
        let boundary = MIMEWriter.randomBoundary()
        var partSources: [any ByteSource] = []
        var expected: [[UInt8]] = []
        for i in 0..<3 {
            // Binary bodies full of CR, LF and dashes.
            let body = (0..<(500 * i + 3)).map { _ in [13, 10, 45, 65, 0, 255][Int(rng.next(upperBound: UInt64(6)))] as UInt8 }
            let part = MIMEWriter.entity(headers: ["Content-Type": "application/octet-stream", "Content-Transfer-Encoding": "binary"], body: MemoryByteSource(body))
            partSources.append(part)
            expected.append(try part.readAll())
        }
        let ct = ContentType("multipart/mixed", parameters: [("boundary", boundary)])
        let whole = MIMEWriter.entity(
            headers: ["Content-Type": ct.headerValue],
            body: MIMEWriter.multipart(boundary: boundary, parts: partSources, preamble: "preamble"))
        let mp = try Multipart.parse(MIMEEntity.parse(whole))
        XCTAssertEqual(try mp.parts.map { try $0.bytes.readAll() }, expected)
        XCTAssertEqual(try whole.slice(mp.preambleRange).readAll(), [UInt8]("preamble"))
        XCTAssertTrue(mp.isClosed)
    }

    func testLargeBodyIsScannedInChunks() throws {
        // 3 MiB of binary payload in a file; parse with the default chunk size.
        let (dir, cleanup) = try makeTemporaryDirectory()
        defer { cleanup() }
        var payload = [UInt8](repeating: 0, count: 3 * 1024 * 1024)
        for i in payload.indices { payload[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        let whole = MIMEWriter.entity(
            headers: ["Content-Type": "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"xyz\""],
            body: MIMEWriter.multipart(
                boundary: "xyz",
                parts: [
                    MIMEWriter.entity(headers: ["Content-Type": "application/octet-stream"], body: MemoryByteSource(payload)),
                    MIMEWriter.entity(headers: ["Content-Type": "application/pkcs7-signature"], body: MemoryByteSource("SIG")),
                ]))
        let path = dir + "/big.bin"
        try AtomicFile.write(whole, to: path, sync: false)
        let mp = try Multipart.parse(MIMEEntity.parse(FileByteSource(path: path)))
        XCTAssertEqual(mp.parts.count, 2)
        XCTAssertEqual(mp.parts[0].body.count, payload.count)
        XCTAssertTrue(try mp.parts[0].body.contentEquals(MemoryByteSource(payload)))
        XCTAssertEqual(try mp.parts[1].body.readAll(), [UInt8]("SIG"))
    }
}
