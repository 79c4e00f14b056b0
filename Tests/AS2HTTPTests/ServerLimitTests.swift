import AS2Bytes
import AS2HTTP
import Foundation
import NIOCore
import XCTest

/// What the server does with requests it must not accept: oversized heads and bodies, broken
/// framing, truncated and slow uploads (acceptance cases 51, 57–59).
final class ServerLimitTests: HTTPTestCase {
    func testExpectContinueIsSentOnlyAfterAcceptance() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let text = try await RawClient.with(port: port) { inbound, outbound, channel in
            var iterator = inbound.makeAsyncIterator()
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"))
            let interim = try await RawClient.readUntil("\r\n\r\n", iterator: &iterator)
            XCTAssertEqual(interim, "HTTP/1.1 100 Continue\r\n\r\n")
            XCTAssertEqual(handler.handleCount, 0)
            try await outbound.write(ByteBuffer(string: "hello"))
            return try await RawClient.readUntil("hello", iterator: &iterator)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK"), text)
        XCTAssertEqual(handler.handleCount, 1)
    }

    func testExpectContinueWithOversizedLengthGets413WithoutReadingTheBody() async throws {
        let handler = ScriptedHandler(decide: { _ in .accept(maxBodySize: 1000) })
        let (_, port) = try await startServer(handler)
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 10000000\r\n\r\n"))
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 413 Payload Too Large"), text)
        XCTAssertFalse(text.contains("100 Continue"))
        XCTAssertTrue(text.lowercased().contains("connection: close"))
        XCTAssertTrue(closed)
        XCTAssertEqual(handler.handleCount, 0)
    }

    func testExpectContinueRejectedByDecideGetsTheFinalStatus() async throws {
        let handler = ScriptedHandler(decide: { _ in .reject(HTTPResponse.text(404, "no such partner")) })
        let (_, port) = try await startServer(handler)
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 50\r\n\r\n"))
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 404 Not Found"), text)
        XCTAssertTrue(text.hasSuffix("no such partner"))
        XCTAssertFalse(text.contains("100 Continue"))
        XCTAssertTrue(closed)
        XCTAssertEqual(handler.handleCount, 0)
    }

    func testClientWithExpectContinueSendsBodyAfterAcceptanceAndNotAfterRejection() async throws {
        let handler = ScriptedHandler(decide: { head in
            head.path == "/small" ? .accept(maxBodySize: 100) : .accept(maxBodySize: nil)
        })
        let (_, port) = try await startServer(handler)
        let client = makeClient()
        let headers = [("Expect", "100-continue")]
        var accepted = request("http://127.0.0.1:\(port)/ok", body: MemoryByteSource("payload"), headers: headers)
        accepted.expectContinueTimeout = .seconds(30)
        let ok = try await client.execute(accepted)
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(try ok.body.readAll(), Array("payload".utf8))

        var rejected = request("http://127.0.0.1:\(port)/small", body: MemoryByteSource(Array(repeating: 7, count: 5000)), headers: headers)
        rejected.expectContinueTimeout = .seconds(30)
        let clock = ContinuousClock()
        let start = clock.now
        let tooLarge = try await client.execute(rejected)
        XCTAssertEqual(tooLarge.status, 413)
        XCTAssertLessThan(clock.now - start, .seconds(5), "the 413 arrives without waiting for the continue timeout")
        XCTAssertEqual(handler.handleCount, 1)
    }

    func testContentLengthOverTheLimitIsAnswered413AtOnce() async throws {
        let handler = ScriptedHandler(decide: { _ in .accept(maxBodySize: 1024) })
        let (_, port) = try await startServer(handler)
        // Raw: the head alone is enough for the answer.
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n"))
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 413"), text)
        XCTAssertTrue(closed)
        // Through the client, which is still sending when the 413 arrives.
        let response = try await makeClient().execute(
            request("http://127.0.0.1:\(port)/", body: MemoryByteSource(Array(repeating: 1, count: 2_000_000)))
        )
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(handler.handleCount, 0)
    }

    func testChunkedBodyOverTheLimitAbortsTheConnectionAndDeletesTheSpoolFile() async throws {
        let handler = ScriptedHandler(decide: { _ in .accept(maxBodySize: 64 * 1024) })
        let (server, port) = try await startServer(handler) { $0.limits.spoolThreshold = 1024 }
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"))
            let chunk = String(repeating: "z", count: 8192)
            for _ in 0..<20 {
                do {
                    try await outbound.write(ByteBuffer(string: "2000\r\n\(chunk)\r\n"))
                } catch { break }
            }
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(closed, "the server closes the connection")
        XCTAssertTrue(text.isEmpty || text.hasPrefix("HTTP/1.1 413"), text)
        XCTAssertEqual(handler.handleCount, 0)
        let condition1 = await eventually { await server.connectionCount == 0 }
        XCTAssertTrue(condition1)
        let spoolDirectory = self.spoolDirectory
        let condition2 = await eventually { TestFiles.entries(spoolDirectory).isEmpty }
        XCTAssertTrue(condition2, "the partial spool file is deleted")
    }

    func testBodyThatCannotBeSpooledGets503WithRetryAfter() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler) { $0.limits.spoolThreshold = 1024 }
        // The spool folder turns into a plain file after start: creating the spool file fails.
        try FileManager.default.removeItem(atPath: spoolDirectory)
        XCTAssertTrue(FileManager.default.createFile(atPath: spoolDirectory, contents: Data("x".utf8)))
        defer {
            try? FileManager.default.removeItem(atPath: spoolDirectory)
            try? FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: true)
        }
        let response = try await makeClient().execute(
            request("http://127.0.0.1:\(port)/", body: MemoryByteSource(Array(repeating: 3, count: 10_000)))
        )
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(response.value(of: "retry-after"), "60")
        XCTAssertEqual(handler.handleCount, 0)
    }

    func testTruncatedBodyNeverReachesTheHandler() async throws {
        let handler = ScriptedHandler()
        let (server, port) = try await startServer(handler) { $0.limits.spoolThreshold = 1024 }
        try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10000\r\n\r\n"))
            try await outbound.write(ByteBuffer(repeating: UInt8(ascii: "q"), count: 6000))
            try await Task.sleep(for: .milliseconds(100))
        }
        let condition3 = await eventually { await server.connectionCount == 0 }
        XCTAssertTrue(condition3)
        XCTAssertEqual(handler.decideCount, 1)
        XCTAssertEqual(handler.handleCount, 0)
        let spoolDirectory = self.spoolDirectory
        let condition4 = await eventually { TestFiles.entries(spoolDirectory).isEmpty }
        XCTAssertTrue(condition4)
    }

    func testSlowUploadIsCutAfterTheBodyReadTimeout() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler) { $0.limits.bodyReadTimeout = .milliseconds(600) }
        let clock = ContinuousClock()
        let start = clock.now
        let closedAfter: Duration = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n"))
            for _ in 0..<50 {
                do {
                    try await outbound.write(ByteBuffer(string: "0123456789"))
                } catch { break }
                try await Task.sleep(for: .milliseconds(100))
                if !channel.isActive { break }
            }
            _ = await RawClient.readUntilClose(inbound, channel: channel, timeout: .seconds(3))
            return clock.now - start
        }
        XCTAssertGreaterThanOrEqual(closedAfter, .milliseconds(550))
        XCTAssertLessThan(closedAfter, .seconds(4), "cut near the 0.6 s body deadline, not after the 5 s upload")
        XCTAssertEqual(handler.handleCount, 0)
    }

    func testIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        let (_, port) = try await startServer(ScriptedHandler()) { $0.limits.idleTimeout = .milliseconds(300) }
        let clock = ContinuousClock()
        let start = clock.now
        let (_, closed) = try await RawClient.with(port: port) { inbound, _, channel in
            await RawClient.readUntilClose(inbound, channel: channel, timeout: .seconds(3))
        }
        XCTAssertTrue(closed)
        XCTAssertLessThan(clock.now - start, .seconds(2))
    }

    func testSingleHeaderOfOneMegabyteGets431() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            let big = String(repeating: "a", count: 1024 * 1024)
            do {
                try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nX-Big: \(big)\r\nContent-Length: 0\r\n\r\n"))
            } catch {}
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large"), String(text.prefix(200)))
        XCTAssertTrue(closed)
        XCTAssertEqual(handler.decideCount, 0)
    }

    func testThousandHeaderFieldsGet431() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            let fields = (0..<1000).map { "X-F\($0): v\r\n" }.joined()
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\n\(fields)Content-Length: 0\r\n\r\n"))
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 431"), String(text.prefix(200)))
        XCTAssertTrue(closed)
        XCTAssertEqual(handler.decideCount, 0)
    }

    func testHeadersUnderTheLimitsAreAccepted() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let fields = (0..<90).map { ("X-F\($0)", String(repeating: "v", count: 100)) }
        let response = try await makeClient().execute(request("http://127.0.0.1:\(port)/", headers: fields))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(handler.lastHandledHead?.values(of: "x-f89"), [String(repeating: "v", count: 100)])
    }

    func testGarbageGets400AndClose() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x00, 0xff, 0x01] + Array("\r\n\r\nGARBAGE\r\n\r\n".utf8)))
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 400 Bad Request"), text)
        XCTAssertTrue(closed)
        XCTAssertEqual(handler.decideCount, 0)
    }

    func testBadChunkSyntaxGets400AndNothingIsHandled() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n"))
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(text.contains("HTTP/1.1 400 Bad Request"), text)
        XCTAssertTrue(closed)
        XCTAssertEqual(handler.handleCount, 0)
    }
}

/// Framing details: fragmented input, obs-fold, statuses without a body, header injection.
final class ServerFramingTests: HTTPTestCase {
    func testRequestArrivingOneByteAtATimeIsParsed() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let request = "POST /frag HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nAS2-To: us\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        let text = try await RawClient.with(port: port) { inbound, outbound, channel in
            var iterator = inbound.makeAsyncIterator()
            for byte in request.utf8 {
                try await outbound.write(ByteBuffer(bytes: [byte]))
            }
            return try await RawClient.readUntil("hello world", iterator: &iterator)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK"), text)
        XCTAssertEqual(handler.lastHandledHead?.value(of: "as2-to"), "us")
    }

    func testObsFoldIsRejectedWith400() async throws {
        // R-HTTP-10 allows rejecting or unfolding; NIO's parser rejects, so a folded field never
        // reaches a handler with an embedded line break (acceptance case 64).
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nAS2-From: part\r\n one\r\nContent-Length: 0\r\n\r\n"))
            return await RawClient.readUntilClose(inbound, channel: channel, timeout: .seconds(2))
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 400 Bad Request"), text)
        XCTAssertTrue(closed)
        XCTAssertEqual(handler.decideCount, 0)
    }

    func testNoContentResponseCarriesNoBodyAndKeepsTheConnection() async throws {
        let (_, port) = try await startServer(ScriptedHandler(handle: { _, _ in HTTPResponse(status: 204, body: MemoryByteSource("ignored")) }))
        let text = try await RawClient.with(port: port) { inbound, outbound, channel in
            var iterator = inbound.makeAsyncIterator()
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"))
            var text = try await RawClient.readUntil("\r\n\r\n", iterator: &iterator)
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"))
            text += try await RawClient.readUntil("\r\n\r\n", iterator: &iterator)
            return text
        }
        XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 204 No Content").count - 1, 2)
        XCTAssertFalse(text.contains("ignored"))
        XCTAssertFalse(text.lowercased().contains("content-length"))
    }

    func testClientRefusesHeaderValuesWithLineBreaks() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        let error = await expectClientError {
            try await self.makeClient().execute(self.request("http://127.0.0.1:\(port)/", headers: [("Subject", "a\r\nInjected: yes")]))
        }
        XCTAssertEqual(error?.code, .invalidRequest)
        XCTAssertEqual(handler.decideCount, 0)
    }
}
