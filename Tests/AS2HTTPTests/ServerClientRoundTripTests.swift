import AS2Bytes
import AS2HTTP
import Foundation
import NIOCore
import Synchronization
import XCTest

/// Client ↔ server over loopback: bodies of every size and framing, header fidelity, keep-alive.
final class ServerClientRoundTripTests: HTTPTestCase {
    func testSmallBodyRoundTripKeepsHeaderOrderAndCase() async throws {
        let handler = ScriptedHandler(handle: { head, body in
            HTTPResponse(status: 200, headers: [("X-Echo-Length", String(body.count)), ("MDN-Thing", "Value With Case")], body: body)
        })
        let (_, port) = try await startServer(handler)
        let payload = Array("ISA*00*          *00*test payload~".utf8)
        let headers = [("AS2-From", "\"Partner A\""), ("AS2-To", "us"), ("message-id", "<abc@example>"), ("Content-Type", "application/edi-x12")]
        let response = try await makeClient().execute(request("http://127.0.0.1:\(port)/as2/receive?x=1", body: MemoryByteSource(payload), headers: headers))

        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try response.body.readAll(), payload)
        XCTAssertEqual(response.value(of: "x-echo-length"), String(payload.count))
        XCTAssertEqual(response.value(of: "mdn-thing"), "Value With Case")
        XCTAssertEqual(response.value(of: "content-length"), String(payload.count))
        XCTAssertNotNil(response.value(of: "date"))

        let head = try XCTUnwrap(handler.lastHandledHead)
        XCTAssertEqual(head.method, "POST")
        XCTAssertEqual(head.uri, "/as2/receive?x=1")
        XCTAssertEqual(head.path, "/as2/receive")
        XCTAssertFalse(head.isTLS)
        XCTAssertNil(head.clientCertificateDER)
        XCTAssertTrue(head.remoteAddress.contains("127.0.0.1"))
        XCTAssertEqual(head.value(of: "host"), "127.0.0.1:\(port)")
        XCTAssertEqual(head.value(of: "User-Agent"), "as2-agent/9.9.9-test")
        XCTAssertEqual(head.value(of: "content-length"), String(payload.count))
        let sent = head.headers.filter { ["AS2-From", "AS2-To", "message-id", "Content-Type"].contains($0.0) }
        XCTAssertEqual(sent.map(\.0), headers.map(\.0), "names keep their order and case")
        XCTAssertEqual(sent.map(\.1), headers.map(\.1))
    }

    func testTwentyMiBBodiesAreSpooledBothWaysAndArriveIntact() async throws {
        let size = 20 * 1024 * 1024
        let source = try TestFiles.makeDirectory("big") + "/payload.bin"
        try TestFiles.writePattern(size: size, to: source)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let expected = try TestFiles.sha256(path: source)
        XCTAssertEqual(expected.count, 64)

        let serverDigest = SendableBox<String?>(nil)
        let spooledOnServer = SendableBox(false)
        let handler = ScriptedHandler(handle: { head, body in
            spooledOnServer.set(body is SpooledByteSource)
            serverDigest.set((body as? SpooledByteSource).flatMap { try? TestFiles.sha256(path: $0.path) })
            return HTTPResponse(status: 200, body: body)
        })
        let (_, port) = try await startServer(handler) { $0.limits.defaultMaxBodySize = 64 * 1024 * 1024 }
        let client = makeClient()
        let before = currentRSS()
        var highest = before

        for chunked in [false, true] {
            var req = request("http://127.0.0.1:\(port)/big", body: try FileByteSource(path: source))
            req.useChunkedEncoding = chunked
            let (response, high) = try await highestRSS { try await client.execute(req) }
            highest = max(highest, high)
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body.count, size)
            let spooled = try XCTUnwrap(response.body as? SpooledByteSource, "a 20 MiB response is spooled to disk")
            XCTAssertEqual(try TestFiles.sha256(path: spooled.path), expected)
            XCTAssertEqual(serverDigest.get(), expected)
            XCTAssertTrue(spooledOnServer.get())
            XCTAssertEqual(handler.lastHandledHead?.value(of: "transfer-encoding"), chunked ? "chunked" : nil)
            XCTAssertEqual(handler.lastHandledHead?.value(of: "content-length"), chunked ? nil : String(size))
        }
        // 20 MiB up and 20 MiB down, twice: streaming keeps the resident set below the size of one body.
        XCTAssertLessThan(highest - before, 20 * 1024 * 1024, "RSS grew by \(highest - before) bytes during the transfers")
        let spoolDirectory = self.spoolDirectory
        let condition1 = await eventually { TestFiles.entries(spoolDirectory).isEmpty }
        XCTAssertTrue(condition1, "server spool files are deleted")
    }

    func testChunkedUploadOfSmallBodyArrivesInMemory() async throws {
        let inMemory = SendableBox(false)
        let handler = ScriptedHandler(handle: { _, body in
            inMemory.set(body is MemoryByteSource)
            return HTTPResponse(status: 200, body: body)
        })
        let (_, port) = try await startServer(handler)
        var req = request("http://127.0.0.1:\(port)/", body: MemoryByteSource(Array(repeating: 65, count: 5000)))
        req.useChunkedEncoding = true
        let response = try await makeClient().execute(req)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try response.body.readAll(), Array(repeating: 65, count: 5000))
        XCTAssertTrue(inMemory.get())
        XCTAssertEqual(handler.lastHandledHead?.value(of: "transfer-encoding"), "chunked")
    }

    func testBasicAuthHeaderIsSent() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler)
        var req = request("http://127.0.0.1:\(port)/")
        req.basicAuth = (user: "partner", password: "pa:ss")
        _ = try await makeClient().execute(req)
        XCTAssertEqual(handler.lastHandledHead?.value(of: "authorization"), "Basic cGFydG5lcjpwYTpzcw==")
    }

    func testEarlyRejectionFromDecideReachesTheClient() async throws {
        let handler = ScriptedHandler(decide: { head in
            head.value(of: "authorization") == nil
                ? .reject(HTTPResponse(status: 401, headers: [("WWW-Authenticate", "Basic realm=\"as2\"")]))
                : .accept(maxBodySize: nil)
        })
        let (_, port) = try await startServer(handler)
        let response = try await makeClient().execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource(Array(repeating: 1, count: 300_000))))
        XCTAssertEqual(response.status, 401)
        XCTAssertEqual(response.value(of: "www-authenticate"), "Basic realm=\"as2\"")
        XCTAssertEqual(response.value(of: "connection"), "close")
        XCTAssertEqual(handler.handleCount, 0)
    }

    func testKeepAliveServesSeveralRequestsOnOneConnection() async throws {
        let handler = ScriptedHandler(handle: { head, body in HTTPResponse.text(200, "got \(body.count) for \(head.path)") })
        let (server, port) = try await startServer(handler)
        let text = try await RawClient.with(port: port) { inbound, outbound, channel in
            var iterator = inbound.makeAsyncIterator()
            var all = ""
            for i in 1...3 {
                let body = String(repeating: "x", count: i * 10)
                try await outbound.write(ByteBuffer(string: "POST /r\(i) HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n\(body)"))
                all += try await RawClient.readUntil("got \(i * 10) for /r\(i)", iterator: &iterator)
                let connections = await server.connectionCount
                XCTAssertEqual(connections, 1)
            }
            return all
        }
        XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1, 3)
        XCTAssertFalse(text.lowercased().contains("connection: close"))
        XCTAssertEqual(handler.handleCount, 3)
    }

    func testHTTP10RequestWithoutKeepAliveIsAnsweredAndClosed() async throws {
        let (_, port) = try await startServer(ScriptedHandler())
        let (text, closed) = try await RawClient.with(port: port) { inbound, outbound, channel in
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc"))
            return await RawClient.readUntilClose(inbound, channel: channel)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK"), text)
        XCTAssertTrue(text.hasSuffix("abc"))
        XCTAssertTrue(closed)
    }

    func testProcessingHeartbeatsAreSentAndIgnoredByTheClient() async throws {
        let handler = ScriptedHandler(handle: { _, body in
            try? await Task.sleep(for: .milliseconds(700))
            return HTTPResponse.text(200, "final MDN")
        })
        let (_, port) = try await startServer(handler) { $0.processingInterval = .milliseconds(200) }

        let raw = try await RawClient.with(port: port) { inbound, outbound, channel in
            var iterator = inbound.makeAsyncIterator()
            try await outbound.write(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"))
            return try await RawClient.readUntil("final MDN", iterator: &iterator)
        }
        XCTAssertTrue(raw.hasPrefix("HTTP/1.1 102 Processing\r\n"), raw)
        XCTAssertGreaterThanOrEqual(raw.components(separatedBy: "102 Processing").count - 1, 2)
        XCTAssertTrue(raw.contains("HTTP/1.1 200 OK"))

        let response = try await makeClient().execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("hi")))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try response.body.readAll(), Array("final MDN".utf8))
    }

    func testPlainHTTPProxyGetsTheAbsoluteURL() async throws {
        let proxy = ScriptedHandler(handle: { head, _ in HTTPResponse.text(200, "via proxy: \(head.uri)") })
        let (_, proxyPort) = try await startServer(proxy)
        var req = request("http://partner.example:8080/as2?a=b", body: MemoryByteSource("x"))
        req.proxy = "http://agent:secret@127.0.0.1:\(proxyPort)"
        let response = try await makeClient().execute(req)
        XCTAssertEqual(String(decoding: try response.body.readAll(), as: UTF8.self), "via proxy: http://partner.example:8080/as2?a=b")
        XCTAssertEqual(proxy.lastHandledHead?.value(of: "host"), "partner.example:8080")
        XCTAssertEqual(proxy.lastHandledHead?.value(of: "proxy-authorization"), "Basic YWdlbnQ6c2VjcmV0")
    }

    func testRequestLogCarriesRemoteAddressPathAndStatus() async throws {
        let (_, port) = try await startServer(ScriptedHandler(handle: { _, _ in HTTPResponse(status: 204) }))
        _ = try await makeClient().execute(request("http://127.0.0.1:\(port)/logged/path"))
        let served = logs.all.first { $0.message == "request served" }
        XCTAssertEqual(served?.metadata["http.path"], "/logged/path")
        XCTAssertEqual(served?.metadata["http.status"], "204")
        XCTAssertTrue(served?.metadata["http.remote"]?.contains("127.0.0.1") ?? false)
        XCTAssertTrue(logs.all.allSatisfy { $0.level <= .info }, "a library logs at info or below")
    }
}

/// A value shared between a test and the closures it hands to a server.
final class SendableBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    func get() -> Value { storage.withLock { $0 } }
    func set(_ value: Value) { storage.withLock { $0 = value } }
}
