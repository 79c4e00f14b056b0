import AS2Bytes
import AS2HTTP
import Foundation
import Logging
import XCTest

/// Starts servers and clients for a test and shuts them down afterwards.
class HTTPTestCase: XCTestCase {
    private(set) var servers: [HTTPServer] = []
    private(set) var clients: [HTTPClient] = []
    let logs = LogStore()
    var spoolDirectory = ""
    var clientSpoolDirectory = ""

    override func setUp() async throws {
        spoolDirectory = try TestFiles.makeDirectory("spool")
        clientSpoolDirectory = try TestFiles.makeDirectory("client-spool")
    }

    override func tearDown() async throws {
        for server in servers { await server.shutdown(gracefully: false) }
        for client in clients { await client.shutdown() }
        servers = []
        clients = []
        try? FileManager.default.removeItem(atPath: spoolDirectory)
        try? FileManager.default.removeItem(atPath: clientSpoolDirectory)
    }

    /// Starts a server on 127.0.0.1, port 0; returns it and its port.
    func startServer(
        _ handler: any HTTPRequestHandler, tls: TLSServerSettings? = nil,
        configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) async throws -> (server: HTTPServer, port: Int) {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: tls, spoolDirectory: spoolDirectory)
        configure(&configuration)
        let server = HTTPServer(configuration: configuration, handler: handler, logger: logs.logger())
        servers.append(server)
        let port = try await server.start()
        return (server, port)
    }

    func makeClient() -> HTTPClient {
        let client = HTTPClient(version: "9.9.9-test", logger: logs.logger())
        clients.append(client)
        return client
    }

    func request(_ url: String, body: any ByteSource = MemoryByteSource([]), headers: [(String, String)] = []) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url, headers: headers, body: body, responseSpoolDirectory: clientSpoolDirectory)
        request.connectTimeout = .seconds(5)
        request.readTimeout = .seconds(10)
        return request
    }

    /// Runs `body` expecting an `HTTPClientError`; returns it.
    func expectClientError(_ body: () async throws -> HTTPClientResponse, file: StaticString = #filePath, line: UInt = #line) async -> HTTPClientError? {
        do {
            let response = try await body()
            XCTFail("expected an HTTPClientError, got status \(response.status)", file: file, line: line)
            return nil
        } catch let error as HTTPClientError {
            return error
        } catch {
            XCTFail("expected an HTTPClientError, got \(error)", file: file, line: line)
            return nil
        }
    }
}
