import AS2Bytes
import AS2HTTP
import Foundation
import Synchronization
import XCTest

/// The client's connection pool: reuse after complete exchanges, never after errors or
/// `Connection: close`, a retry when a kept-alive connection turns out closed, separation by TLS
/// settings, idle timeout and shutdown.
final class ClientKeepAliveTests: HTTPTestCase {
    private var ownClients: [HTTPClient] = []
    private var testServers: [KeepAliveTestServer] = []

    override func tearDown() async throws {
        for client in ownClients { await client.shutdown() }
        for server in testServers { await server.close() }
        ownClients = []
        testServers = []
        try await super.tearDown()
    }

    private func makeClient(idleTimeout: Duration) -> HTTPClient {
        let client = HTTPClient(version: "9.9.9-test", logger: logs.logger(), idleTimeout: idleTimeout)
        ownClients.append(client)
        return client
    }

    private func startTestServer(_ mode: KeepAliveTestServer.Mode) async throws -> KeepAliveTestServer {
        let server = try await KeepAliveTestServer.start(mode)
        testServers.append(server)
        return server
    }

    /// A handler that echoes the body and records the remote address (one per connection).
    private func addressRecordingHandler(
        _ addresses: Addresses, delay: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ScriptedHandler {
        ScriptedHandler(handle: { head, body in
            let index = addresses.values.withLock { a in
                a.append(head.remoteAddress)
                return a.count
            }
            await delay(index)
            return HTTPResponse(status: 200, body: body)
        })
    }

    private var reuseLogCount: Int { logs.all.filter { $0.message == "request on a reused connection" }.count }

    func testSequentialRequestsToOurServerUseOneConnection() async throws {
        let addresses = Addresses()
        let (server, port) = try await startServer(addressRecordingHandler(addresses))
        let client = makeClient()
        for i in 0..<5 {
            let response = try await client.execute(request("http://127.0.0.1:\(port)/as2", body: MemoryByteSource("message \(i)")))
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(try response.body.readAll(), Array("message \(i)".utf8))
        }
        XCTAssertEqual(addresses.values.withLock { Set($0).count }, 1)
        XCTAssertEqual(addresses.values.withLock { $0.count }, 5)
        XCTAssertEqual(reuseLogCount, 4)
        XCTAssertEqual(client.openConnectionCount, 1)
        let serverConnections = await server.connectionCount
        XCTAssertEqual(serverConnections, 1)
    }

    func testFileBodiesAndSpooledResponsesKeepTheConnection() async throws {
        let addresses = Addresses()
        let (_, port) = try await startServer(addressRecordingHandler(addresses))
        let directory = try TestFiles.makeDirectory("keepalive-files")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/payload"
        try TestFiles.writePattern(size: 3 * 1024 * 1024 + 17, to: path)
        let client = makeClient()
        for _ in 0..<3 {
            let response = try await client.execute(request("http://127.0.0.1:\(port)/as2", body: try FileByteSource(path: path)))
            XCTAssertEqual(response.status, 200)
            XCTAssertTrue(response.body is SpooledByteSource)
            XCTAssertTrue(try response.body.contentEquals(FileByteSource(path: path)))
        }
        XCTAssertEqual(addresses.values.withLock { Set($0).count }, 1)
    }

    func testConnectionCloseResponsesGetANewConnectionPerRequest() async throws {
        for mode in [KeepAliveTestServer.Mode.connectionClose, .http10] {
            let server = try await startTestServer(mode)
            let client = makeClient()
            for i in 0..<3 {
                let response = try await client.execute(request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("r\(i)")))
                XCTAssertEqual(try response.body.readAll(), Array("r\(i)".utf8))
            }
            XCTAssertEqual(server.snapshot.accepted, 3, "\(mode)")
            XCTAssertEqual(server.snapshot.bodies, ["r0", "r1", "r2"])
        }
        XCTAssertEqual(reuseLogCount, 0)
    }

    func testRequestOnAConnectionTheServerClosedIsRetriedOnceOnANewConnection() async throws {
        let server = try await startTestServer(.dropSecondRequest)
        let client = makeClient()
        let first = try await client.execute(request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("one")))
        XCTAssertEqual(try first.body.readAll(), Array("one".utf8))
        // The second request goes out on the kept connection, which the server closes on it.
        let second = try await client.execute(request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("two")))
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(try second.body.readAll(), Array("two".utf8))
        XCTAssertEqual(server.snapshot.accepted, 2)
        XCTAssertEqual(server.snapshot.bodies, ["one", "two"])
        XCTAssertEqual(reuseLogCount, 1)
        XCTAssertTrue(logs.all.contains { $0.message.contains("retrying on a new connection") })
    }

    func testFailureOnAFreshConnectionIsNotRetried() async throws {
        let server = try await startTestServer(.dropEveryRequest)
        let error = await expectClientError {
            try await self.makeClient().execute(self.request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("once")))
        }
        XCTAssertEqual(error?.code, .connectionClosedEarly)
        XCTAssertEqual(server.snapshot.accepted, 1)
    }

    func testConcurrentRequestsAfterADroppedKeptConnectionAreEachAnsweredOnce() async throws {
        let server = try await startTestServer(.dropSecondRequest)
        let client = makeClient()
        _ = try await client.execute(request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("one")))
        // Two requests at once: one takes the kept connection (dropped, retried on a new one,
        // answered); the other opens a new connection. Only reused connections are retried, so at
        // most one retry happens per request, and every body is answered exactly once.
        let requestA = request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("a"))
        let requestB = request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("b"))
        async let a = client.execute(requestA)
        async let b = client.execute(requestB)
        let (ra, rb) = try await (a, b)
        XCTAssertEqual(try ra.body.readAll(), Array("a".utf8))
        XCTAssertEqual(try rb.body.readAll(), Array("b".utf8))
        XCTAssertEqual(server.snapshot.bodies.sorted(), ["a", "b", "one"])
        XCTAssertEqual(server.snapshot.accepted, 3)
    }

    func testResponseArrivingWhileIdleClosesTheConnection() async throws {
        let server = try await startTestServer(.unsolicited408)
        let client = makeClient()
        _ = try await client.execute(request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("one")))
        let closed = await eventually { server.snapshot.closed == 1 }
        XCTAssertTrue(closed, "the client did not close the connection that got an unsolicited 408")
        let second = try await client.execute(request("http://127.0.0.1:\(server.port)/", body: MemoryByteSource("two")))
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(try second.body.readAll(), Array("two".utf8))
        XCTAssertEqual(server.snapshot.accepted, 2)
    }

    func testPartnersWithDifferentTLSSettingsNeverShareAConnection() async throws {
        let certificates = try TestCertificates.get()
        let addresses = Addresses()
        let tls = TLSServerSettings(certificateChainPEMPath: certificates.serverPEM, privateKeyPEMPath: certificates.serverKey)
        let (_, port) = try await startServer(addressRecordingHandler(addresses), tls: tls)
        let client = makeClient()
        func send(_ settings: TLSClientSettings) async throws {
            var req = request("https://localhost:\(port)/as2", body: MemoryByteSource("payload"))
            req.tls = settings
            let response = try await client.execute(req)
            XCTAssertEqual(response.status, 200)
        }
        let byCA = TLSClientSettings(trustRootsPEMFile: certificates.caPEM)
        let byPin = TLSClientSettings(pinnedCertificateDER: try certificates.der(certificates.serverPEM))
        let withClientCertificate = TLSClientSettings(
            trustRootsPEMFile: certificates.caPEM, clientCertificatePEMFile: certificates.clientPEM,
            clientKeyPEMFile: certificates.clientKey
        )
        try await send(byCA)
        try await send(byPin)
        try await send(withClientCertificate)
        try await send(byCA)
        try await send(byPin)
        let seen = addresses.values.withLock { $0 }
        XCTAssertEqual(Set(seen).count, 3)
        XCTAssertEqual(seen[3], seen[0])
        XCTAssertEqual(seen[4], seen[1])
        XCTAssertEqual(client.openConnectionCount, 3)
    }

    func testShutdownClosesIdleConnections() async throws {
        let (server, port) = try await startServer(ScriptedHandler())
        let client = makeClient()
        _ = try await client.execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("x")))
        let serverConnections = await server.connectionCount
        XCTAssertEqual(serverConnections, 1)
        await client.shutdown()
        let closed = await eventually { await server.connectionCount == 0 }
        XCTAssertTrue(closed)
        XCTAssertEqual(client.openConnectionCount, 0)
        let error = await expectClientError { try await client.execute(self.request("http://127.0.0.1:\(port)/")) }
        XCTAssertEqual(error?.code, .invalidRequest)
    }

    /// On reload the agent drops its idle connections: the next request opens a new one (with
    /// the TLS settings read again), and the client keeps working.
    func testClosingIdleConnectionsMakesTheNextRequestOpenANewOne() async throws {
        let addresses = Addresses()
        let (server, port) = try await startServer(addressRecordingHandler(addresses))
        let client = makeClient()
        _ = try await client.execute(request("http://127.0.0.1:\(port)/as2", body: MemoryByteSource("one")))
        XCTAssertEqual(client.openConnectionCount, 1)
        client.closeIdleConnections()
        let closed = await eventually { await server.connectionCount == 0 && client.openConnectionCount == 0 }
        XCTAssertTrue(closed, "the idle connection was not closed")
        let response = try await client.execute(request("http://127.0.0.1:\(port)/as2", body: MemoryByteSource("two")))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try response.body.readAll(), Array("two".utf8))
        XCTAssertEqual(addresses.values.withLock { Set($0).count }, 2, "the second request reused the closed connection")
    }

    func testIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        let (server, port) = try await startServer(ScriptedHandler())
        let client = makeClient(idleTimeout: .milliseconds(200))
        _ = try await client.execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("x")))
        XCTAssertEqual(client.openConnectionCount, 1)
        let closed = await eventually { await server.connectionCount == 0 && client.openConnectionCount == 0 }
        XCTAssertTrue(closed)
        _ = try await client.execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("y")))
        XCTAssertEqual(reuseLogCount, 0)
    }

    func testConcurrentRequestsUseSeparateConnections() async throws {
        let addresses = Addresses()
        let handler = addressRecordingHandler(addresses) { _ in
            // Hold each request until all three are in, so that they overlap.
            _ = await eventually { addresses.values.withLock { $0.count } >= 3 }
        }
        let (_, port) = try await startServer(handler)
        let client = makeClient()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<3 {
                let req = request("http://127.0.0.1:\(port)/", body: MemoryByteSource("c\(i)"))
                group.addTask { try await client.execute(req).status }
            }
            for try await status in group { XCTAssertEqual(status, 200) }
        }
        XCTAssertEqual(addresses.values.withLock { Set($0).count }, 3)
        XCTAssertEqual(client.openConnectionCount, 3)
        // All three are now idle and reused by the next three requests.
        for _ in 0..<3 { _ = try await client.execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("again"))) }
        XCTAssertEqual(addresses.values.withLock { Set($0).count }, 3)
    }

    func testConnectionIsNotReusedAfterATimeoutOrAnError() async throws {
        let addresses = Addresses()
        let handler = ScriptedHandler(handle: { head, body in
            let index = addresses.values.withLock { a in
                a.append(head.remoteAddress)
                return a.count
            }
            if index == 2 { try? await Task.sleep(for: .seconds(2)) }
            if index == 4 { return HTTPResponse(status: 200, body: MemoryByteSource([UInt8](repeating: 65, count: 4096))) }
            return HTTPResponse(status: 200, body: body)
        })
        let (_, port) = try await startServer(handler)
        let client = makeClient()
        _ = try await client.execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("1")))
        var slow = request("http://127.0.0.1:\(port)/", body: MemoryByteSource("2"))
        slow.readTimeout = .milliseconds(300)
        let timeout = await expectClientError { try await client.execute(slow) }
        XCTAssertEqual(timeout?.code, .timeout)
        _ = try await client.execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("3")))
        var small = request("http://127.0.0.1:\(port)/", body: MemoryByteSource("4"))
        small.maxResponseBodySize = 1000
        let tooLarge = await expectClientError { try await client.execute(small) }
        XCTAssertEqual(tooLarge?.code, .responseTooLarge)
        _ = try await client.execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("5")))
        let seen = addresses.values.withLock { $0 }
        XCTAssertEqual(seen.count, 5)
        XCTAssertEqual(seen[1], seen[0], "the second request reuses the first connection")
        XCTAssertNotEqual(seen[2], seen[1], "the connection that timed out is not reused")
        XCTAssertEqual(seen[3], seen[2])
        XCTAssertNotEqual(seen[4], seen[3], "the connection whose response was refused is not reused")
    }

    func testEarlyResponseBeforeTheWholeBodyClosesTheConnection() async throws {
        let addresses = Addresses()
        let handler = ScriptedHandler(
            decide: { head in
                let count = addresses.values.withLock { a in
                    a.append(head.remoteAddress)
                    return a.count
                }
                return count == 1 ? .reject(HTTPResponse(status: 413)) : .accept(maxBodySize: nil)
            }
        )
        let (_, port) = try await startServer(handler)
        let client = makeClient()
        let big = MemoryByteSource([UInt8](repeating: 66, count: 8 * 1024 * 1024))
        let rejected = try await client.execute(request("http://127.0.0.1:\(port)/", body: big))
        XCTAssertEqual(rejected.status, 413)
        let accepted = try await client.execute(request("http://127.0.0.1:\(port)/", body: MemoryByteSource("small")))
        XCTAssertEqual(accepted.status, 200)
        let seen = addresses.values.withLock { $0 }
        XCTAssertEqual(seen.count, 2)
        XCTAssertNotEqual(seen[0], seen[1])
    }
}

/// The remote address of each request a handler saw, in order (one address per connection).
private final class Addresses: Sendable {
    let values = Mutex<[String]>([])
}
