import AS2Bytes
import AS2HTTP
import Foundation
import NIOCore
import NIOPosix
import XCTest

/// Client failures and their classification, and the server's graceful shutdown.
final class ClientBehaviourTests: HTTPTestCase {
    func testServerThatNeverAnswersTimesOut() async throws {
        let silent = try await SilentServer()
        defer { Task { await silent.close() } }
        var req = request("http://127.0.0.1:\(silent.port)/", body: MemoryByteSource("hello"))
        req.readTimeout = .milliseconds(400)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await expectClientError { try await self.makeClient().execute(req) }
        XCTAssertEqual(error?.code, .timeout)
        XCTAssertEqual(error?.isTransient, true)
        XCTAssertLessThan(clock.now - start, .seconds(3))
    }

    func testTLSHandshakeThatNeverCompletesHitsTheConnectTimeout() async throws {
        let silent = try await SilentServer()
        defer { Task { await silent.close() } }
        var req = request("https://127.0.0.1:\(silent.port)/")
        req.connectTimeout = .milliseconds(300)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await expectClientError { try await self.makeClient().execute(req) }
        XCTAssertEqual(error?.code, .connectFailed)
        XCTAssertTrue(error?.message.contains("timed out") ?? false, "\(String(describing: error))")
        XCTAssertEqual(error?.isTransient, true)
        XCTAssertLessThan(clock.now - start, .seconds(3))
    }

    func testRefusedConnectionIsATransientConnectFailure() async throws {
        let port = try await Self.closedPort()
        let error = await expectClientError { try await self.makeClient().execute(self.request("http://127.0.0.1:\(port)/")) }
        XCTAssertEqual(error?.code, .connectFailed)
        XCTAssertEqual(error?.isTransient, true)
    }

    func testConnectionClosedBeforeTheResponseIsTransient() async throws {
        let handler = ScriptedHandler(handle: { _, _ in
            try? await Task.sleep(for: .seconds(30))
            return HTTPResponse(status: 200)
        })
        let (server, port) = try await startServer(handler)
        let client = makeClient()
        let req = request("http://127.0.0.1:\(port)/")
        let outcome = Task { () -> HTTPClientError.Code? in
            do {
                _ = try await client.execute(req)
                return nil
            } catch let error as HTTPClientError {
                return error.code
            }
        }
        let started = await eventually { handler.handleCount == 1 }
        XCTAssertTrue(started)
        await server.shutdown(gracefully: false)
        let code = try await outcome.value
        XCTAssertEqual(code, .connectionClosedEarly)
        XCTAssertEqual(HTTPClientError(.connectionClosedEarly, "").isTransient, true)
    }

    func testGarbageResponseIsInvalid() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(GarbageResponder())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try XCTUnwrap(server.localAddress?.port)
        let error = await expectClientError { try await self.makeClient().execute(self.request("http://127.0.0.1:\(port)/")) }
        XCTAssertEqual(error?.code, .invalidResponse)
        XCTAssertEqual(error?.isTransient, false)
    }

    func testResponseOverTheLimitIsRefused() async throws {
        let (_, port) = try await startServer(ScriptedHandler(handle: { _, _ in
            HTTPResponse(status: 200, body: MemoryByteSource(Array(repeating: 9, count: 100_000)))
        }))
        var req = request("http://127.0.0.1:\(port)/")
        req.maxResponseBodySize = 10_000
        let error = await expectClientError { try await self.makeClient().execute(req) }
        XCTAssertEqual(error?.code, .responseTooLarge)
    }

    func testResponseThatCannotBeSpooledIsATransientSpoolFailure() async throws {
        let (_, port) = try await startServer(ScriptedHandler(handle: { _, _ in
            HTTPResponse(status: 200, body: MemoryByteSource(Array(repeating: 9, count: 100_000)))
        }))
        let notADirectory = clientSpoolDirectory + "/plain-file"
        XCTAssertTrue(FileManager.default.createFile(atPath: notADirectory, contents: Data("x".utf8)))
        var req = request("http://127.0.0.1:\(port)/")
        req.responseSpoolThreshold = 1024
        req.responseSpoolDirectory = notADirectory
        let error = await expectClientError { try await self.makeClient().execute(req) }
        XCTAssertEqual(error?.code, .spoolFailed)
        XCTAssertEqual(error?.isTransient, true)
    }

    func testInvalidURLsAreRejectedBeforeConnecting() async throws {
        let client = makeClient()
        for url in ["ftp://example.com/", "http://", "not a url", "http://host:99999/"] {
            let error = await expectClientError { try await client.execute(self.request(url)) }
            XCTAssertEqual(error?.code, .invalidRequest, url)
        }
    }

    func testShutDownClientRefusesRequests() async throws {
        let (_, port) = try await startServer(ScriptedHandler())
        let client = makeClient()
        await client.shutdown()
        let error = await expectClientError { try await client.execute(self.request("http://127.0.0.1:\(port)/")) }
        XCTAssertEqual(error?.code, .invalidRequest)
    }

    func testGracefulShutdownLetsTheRequestInFlightFinish() async throws {
        let release = SendableBox(false)
        let handler = ScriptedHandler(handle: { _, body in
            while !release.get() { try? await Task.sleep(for: .milliseconds(10)) }
            return HTTPResponse.text(200, "finished after shutdown began")
        })
        let (server, port) = try await startServer(handler)
        let client = makeClient()
        let req = request("http://127.0.0.1:\(port)/slow", body: MemoryByteSource("data"))
        async let inFlight = client.execute(req)
        let started = await eventually { handler.handleCount == 1 }
        XCTAssertTrue(started)

        // An idle keep-alive connection is closed at once by the graceful shutdown.
        let idleClosed = Task {
            try await RawClient.with(port: port) { inbound, _, channel in
                await RawClient.readUntilClose(inbound, channel: channel, timeout: .seconds(5)).peerClosed
            }
        }
        let idleRegistered = await eventually { await server.connectionCount == 2 }
        XCTAssertTrue(idleRegistered)

        async let shutdown: Void = server.shutdown(gracefully: true)
        let listenerClosed = await eventually { (try? await Self.connect(port: port)) == nil }
        XCTAssertTrue(listenerClosed, "no new connections once shutdown begins")
        let idleWasClosed = try await idleClosed.value
        XCTAssertTrue(idleWasClosed)
        release.set(true)

        let response = try await inFlight
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.value(of: "connection"), "close")
        XCTAssertEqual(try response.body.readAll(), Array("finished after shutdown began".utf8))
        await shutdown
        let connections = await server.connectionCount
        XCTAssertEqual(connections, 0)
    }

    func testConnectionLimitMakesFurtherClientsWait() async throws {
        let release = SendableBox(false)
        let handler = ScriptedHandler(handle: { _, _ in
            while !release.get() { try? await Task.sleep(for: .milliseconds(10)) }
            return HTTPResponse(status: 200)
        })
        let (server, port) = try await startServer(handler) { $0.limits.maxConnections = 1 }
        // Without keep-alive: the slot frees when the first connection closes after its exchange
        // (a kept-alive connection holds its slot until it closes).
        let client = HTTPClient(version: "9.9.9-test", logger: logs.logger(), maxIdlePerEndpoint: 0)
        defer { Task { await client.shutdown() } }
        let (request1, request2) = (request("http://127.0.0.1:\(port)/1"), request("http://127.0.0.1:\(port)/2"))
        async let first = client.execute(request1)
        async let second = client.execute(request2)
        let oneStarted = await eventually { handler.handleCount == 1 }
        XCTAssertTrue(oneStarted)
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(handler.handleCount, 1, "the second connection waits for a slot")
        let served = await server.connectionCount
        XCTAssertEqual(served, 1)
        release.set(true)
        let statuses = try await [first.status, second.status]
        XCTAssertEqual(statuses, [200, 200])
        XCTAssertEqual(handler.handleCount, 2)
    }

    /// A partner's keep-alive pool holds every slot with idle connections: a new client is not
    /// locked out until they time out (60 s here); the longest-idle one is closed to admit it, and
    /// the partner's next request opens a new connection.
    func testIdleKeptAliveConnectionsMakeRoomForANewClient() async throws {
        let (server, port) = try await startServer(ScriptedHandler()) {
            $0.limits.maxConnections = 2
            $0.limits.idleTimeout = .seconds(60)
        }
        let partner = HTTPClient(version: "9.9.9-test", logger: logs.logger())
        defer { Task { await partner.shutdown() } }
        // Two requests at once: two connections, both kept alive afterwards.
        let (requestA, requestB) = (request("http://127.0.0.1:\(port)/a", body: MemoryByteSource("a")), request("http://127.0.0.1:\(port)/b", body: MemoryByteSource("b")))
        async let a = partner.execute(requestA)
        async let b = partner.execute(requestB)
        let first = try await [a.status, b.status]
        XCTAssertEqual(first, [200, 200])
        let held = await server.connectionCount
        XCTAssertEqual(held, 2, "the partner's two connections are kept alive")

        let other = HTTPClient(version: "9.9.9-test", logger: logs.logger(), maxIdlePerEndpoint: 0)
        defer { Task { await other.shutdown() } }
        let started = ContinuousClock.now
        let response = try await other.execute(request("http://127.0.0.1:\(port)/other", body: MemoryByteSource("c")))
        XCTAssertEqual(response.status, 200)
        XCTAssertLessThan(started.duration(to: .now), .seconds(10), "the new client waited for an idle connection to time out")
        let afterwards = await server.connectionCount
        XCTAssertLessThanOrEqual(afterwards, 2)
        // The partner's pool still works: a closed kept-alive connection is retried on a new one.
        let again = try await partner.execute(request("http://127.0.0.1:\(port)/again", body: MemoryByteSource("d")))
        XCTAssertEqual(again.status, 200)
    }

    /// A port that was just free: bound, then closed.
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }

    static func connect(port: Int) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        try await channel.close()
        return true
    }
}

/// Answers any bytes with something that is not HTTP.
private final class GarbageResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "SMTP READY\r\n\r\nnot http at all\r\n")), promise: nil)
    }
}

/// Cancelling the calling task ends the exchange.
final class ClientCancellationTests: HTTPTestCase {
    func testCancellingTheCallerEndsAWaitingRequest() async throws {
        let silent = try await SilentServer()
        defer { Task { await silent.close() } }
        let client = makeClient()
        var req = request("http://127.0.0.1:\(silent.port)/")
        req.readTimeout = .seconds(30)
        let task = Task { try await client.execute(req) }
        try await Task.sleep(for: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("a cancelled request returned a response")
        } catch is CancellationError {
        } catch {
            XCTFail("expected CancellationError, got \(error)")
        }
        XCTAssertLessThan(clock.now - start, .seconds(5))
    }
}
