import AS2Bytes
import AS2HTTP
import Foundation
import XCTest

/// HTTPS with certificates made at test time: trust anchors, hostname checks, pinning, client
/// certificates (requirements R-HTTP-8, R-HTTP-9).
final class TLSTests: HTTPTestCase {
    private var certificates: TestCertificates!

    override func setUp() async throws {
        try await super.setUp()
        certificates = try TestCertificates.get()
    }

    private func serverSettings(
        chain: String? = nil, key: String? = nil, password: String? = nil,
        clientCertificate: TLSServerSettings.ClientCertificatePolicy = .none
    ) -> TLSServerSettings {
        TLSServerSettings(
            certificateChainPEMPath: chain ?? certificates.serverPEM, privateKeyPEMPath: key ?? certificates.serverKey,
            privateKeyPassword: password, clientCAPEMPath: clientCertificate == .none ? nil : certificates.caPEM,
            clientCertificate: clientCertificate
        )
    }

    private func tlsRequest(port: Int, host: String = "localhost", tls: TLSClientSettings) -> HTTPClientRequest {
        var req = request("https://\(host):\(port)/as2", body: MemoryByteSource("secret payload"))
        req.tls = tls
        return req
    }

    func testClientVerifiesServerWithCAFile() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler, tls: serverSettings())
        let response = try await makeClient().execute(tlsRequest(port: port, tls: TLSClientSettings(trustRootsPEMFile: certificates.caPEM)))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try response.body.readAll(), Array("secret payload".utf8))
        XCTAssertEqual(handler.lastHandledHead?.isTLS, true)
        XCTAssertNil(handler.lastHandledHead?.clientCertificateDER)
        XCTAssertEqual(handler.lastHandledHead?.value(of: "host"), "localhost:\(port)")
    }

    func testIPAddressURLIsVerifiedAgainstTheIPSubjectAltName() async throws {
        let (_, port) = try await startServer(ScriptedHandler(), tls: serverSettings())
        let response = try await makeClient().execute(
            tlsRequest(port: port, host: "127.0.0.1", tls: TLSClientSettings(trustRootsPEMFile: certificates.caPEM))
        )
        XCTAssertEqual(response.status, 200)
    }

    func testEncryptedServerKeyLoadsWithItsPassword() async throws {
        let (_, port) = try await startServer(
            ScriptedHandler(), tls: serverSettings(key: certificates.serverEncryptedKey, password: TestCertificates.keyPassword)
        )
        let response = try await makeClient().execute(tlsRequest(port: port, tls: TLSClientSettings(trustRootsPEMFile: certificates.caPEM)))
        XCTAssertEqual(response.status, 200)
    }

    func testWrongServerKeyPasswordFailsToStart() async throws {
        do {
            _ = try await startServer(ScriptedHandler(), tls: serverSettings(key: certificates.serverEncryptedKey, password: "wrong"))
            XCTFail("the server started with a wrong key password")
        } catch let error as HTTPServerError {
            XCTAssertEqual(error.code, .tlsConfiguration)
        }
    }

    func testUnrelatedCAIsATLSFailure() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler, tls: serverSettings())
        let error = await expectClientError {
            try await self.makeClient().execute(self.tlsRequest(port: port, tls: TLSClientSettings(trustRootsPEMFile: self.certificates.otherCAPEM)))
        }
        XCTAssertEqual(error?.code, .tlsFailure)
        XCTAssertEqual(error?.isTransient, false)
        XCTAssertEqual(handler.decideCount, 0)
    }

    func testHostnameMismatchFailsUnlessPinnedOrWaived() async throws {
        let (_, port) = try await startServer(
            ScriptedHandler(), tls: serverSettings(chain: certificates.wrongHostPEM, key: certificates.wrongHostKey)
        )
        let client = makeClient()
        let error = await expectClientError {
            try await client.execute(self.tlsRequest(port: port, tls: TLSClientSettings(trustRootsPEMFile: self.certificates.caPEM)))
        }
        XCTAssertEqual(error?.code, .tlsFailure)

        let waived = try await client.execute(
            tlsRequest(port: port, tls: TLSClientSettings(trustRootsPEMFile: certificates.caPEM, verifyHostname: false))
        )
        XCTAssertEqual(waived.status, 200)

        let pinned = try await client.execute(
            tlsRequest(port: port, tls: TLSClientSettings(pinnedCertificateDER: try certificates.der(certificates.wrongHostPEM)))
        )
        XCTAssertEqual(pinned.status, 200, "a pinned certificate needs neither a trust anchor nor a matching name")
    }

    func testPinToAnotherCertificateFails() async throws {
        let (_, port) = try await startServer(ScriptedHandler(), tls: serverSettings())
        let error = await expectClientError {
            try await self.makeClient().execute(
                self.tlsRequest(port: port, tls: TLSClientSettings(pinnedCertificateDER: try self.certificates.der(self.certificates.wrongHostPEM)))
            )
        }
        XCTAssertEqual(error?.code, .tlsFailure)
    }

    func testRequiredClientCertificateIsPresentedAndReachesTheHandler() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler, tls: serverSettings(clientCertificate: .required))
        let tls = TLSClientSettings(
            trustRootsPEMFile: certificates.caPEM, clientCertificatePEMFile: certificates.clientPEM, clientKeyPEMFile: certificates.clientKey
        )
        let response = try await makeClient().execute(tlsRequest(port: port, tls: tls))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(handler.lastHandledHead?.clientCertificateDER, try certificates.der(certificates.clientPEM))
    }

    func testRequiredClientCertificateAbsentFails() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler, tls: serverSettings(clientCertificate: .required))
        let error = await expectClientError {
            try await self.makeClient().execute(self.tlsRequest(port: port, tls: TLSClientSettings(trustRootsPEMFile: self.certificates.caPEM)))
        }
        XCTAssertEqual(error?.code, .tlsFailure, "the server's certificate_required alert is reported")
        XCTAssertEqual(handler.decideCount, 0)
    }

    func testClientCertificateFromAnUntrustedCAIsRefused() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler, tls: serverSettings(clientCertificate: .optional))
        let tls = TLSClientSettings(
            trustRootsPEMFile: certificates.caPEM, clientCertificatePEMFile: certificates.otherClientPEM,
            clientKeyPEMFile: certificates.otherClientKey
        )
        let error = await expectClientError { try await self.makeClient().execute(self.tlsRequest(port: port, tls: tls)) }
        XCTAssertEqual(error?.code, .tlsFailure, "the server's unknown_ca alert is reported")
        XCTAssertEqual(handler.decideCount, 0)
    }

    func testOptionalClientCertificateMayBeAbsent() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler, tls: serverSettings(clientCertificate: .optional))
        let response = try await makeClient().execute(tlsRequest(port: port, tls: TLSClientSettings(trustRootsPEMFile: certificates.caPEM)))
        XCTAssertEqual(response.status, 200)
        XCTAssertNil(handler.lastHandledHead?.clientCertificateDER)
    }

    func testPlainHTTPToATLSServerFails() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler, tls: serverSettings())
        let error = await expectClientError { try await self.makeClient().execute(self.request("http://127.0.0.1:\(port)/")) }
        XCTAssertEqual(error?.code, .connectionClosedEarly)
        XCTAssertEqual(handler.decideCount, 0)
    }

    func testHTTPSThroughAConnectProxy() async throws {
        let handler = ScriptedHandler()
        let (_, port) = try await startServer(handler, tls: serverSettings())
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.close() } }
        var req = tlsRequest(port: port, tls: TLSClientSettings(trustRootsPEMFile: certificates.caPEM))
        req.proxy = "http://user:pw@127.0.0.1:\(proxy.port)"
        let response = try await makeClient().execute(req)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try response.body.readAll(), Array("secret payload".utf8))
        XCTAssertEqual(proxy.requests, ["CONNECT localhost:\(port) HTTP/1.1|Basic dXNlcjpwdw=="])
    }

    func testProxyRefusingConnectIsAConnectFailure() async throws {
        let proxy = try await ConnectProxy.start(refuse: true)
        defer { Task { await proxy.close() } }
        var req = tlsRequest(port: 1, tls: TLSClientSettings(trustRootsPEMFile: certificates.caPEM))
        req.proxy = "http://127.0.0.1:\(proxy.port)"
        let error = await expectClientError { try await self.makeClient().execute(req) }
        XCTAssertEqual(error?.code, .connectFailed)
        XCTAssertTrue(error?.message.contains("403") ?? false, "\(String(describing: error))")
    }
}
