import AS2Crypto
import AS2Spool
import Foundation
import XCTest

/// Authentication on the AS2 endpoint: HTTP basic auth and TLS client certificates, configured on
/// both agents; requests without the credentials are refused before the body is read.
final class HTTPAuthTests: HTTPAgentTestCase {
    func testBasicAuthBetweenAgents() throws {
        let secret = root + "/secret.pass"
        try Data("s3cret-pass\n".utf8).write(to: URL(fileURLWithPath: secret))
        let (acme, globex) = try pair { toGlobex, toAcme in
            toGlobex.extra += ["basic_auth_user = \"acme\"", "basic_auth_password_file = \"\(secret)\""]
            toAcme.extra += ["inbound_basic_auth_user = \"acme\"", "inbound_basic_auth_password_file = \"\(secret)\""]
        }
        try globex.start()
        try acme.start()
        let document = payload(12_000)
        try acme.drop(document, as: "auth.bin", to: "globex")
        let sent = try acme.waitSent("auth.bin", partner: "globex")
        XCTAssertEqual(sent.mdn.dispositionType, .processed)
        XCTAssertTrue(globex.read("acme", "inbox", "auth.bin") == document, "the payload must be byte-identical")

        // Without credentials, or with wrong ones: 401 before the body.
        let factory = HTTPMessageFactory(from: acme.party, to: globex.party, workDirectory: root + "/work")
        let request = try factory.request(payload(1000), messageID: HTTPMessageFactory.messageID("noauth"))
        let refused = try XCTUnwrap(try HTTPSocket.exchange(port: globex.httpPort, request))
        XCTAssertEqual(refused.status, 401)
        XCTAssertNotNil(refused.header("WWW-Authenticate"))
        var wrong = request
        let credentials = Data("acme:wrong".utf8).base64EncodedString()
        wrong.insert(contentsOf: Array("Authorization: Basic \(credentials)\r\n".utf8), at: Array("POST /as2 HTTP/1.1\r\n".utf8).count)
        XCTAssertEqual(try HTTPSocket.exchange(port: globex.httpPort, wrong)?.status, 401)
        XCTAssertEqual(globex.files("acme", "inbox").filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".mdn") }, ["auth.bin"])
    }

    func testTLSClientCertificateRequired() throws {
        // A small CA issues ACME's TLS client certificate; GLOBEX trusts the CA and pins the certificate.
        let caKey = try HTTPTestKeys.key(2)
        let caCertificate = try KeyGenerator.selfSignedCertificate(key: caKey, commonName: "Test TLS CA", organization: nil, validityDays: 30, isCertificateAuthority: true)
        let clientKey = try HTTPTestKeys.key(0)
        let clientCertificate = try KeyGenerator.issueCertificate(
            key: clientKey, commonName: "acme-tls-client", issuer: try Identity(certificate: caCertificate, privateKey: caKey), validityDays: 30)
        let caPath = root + "/tls-ca.pem"
        let clientPath = root + "/acme-tls-client.pem"
        let clientKeyPath = root + "/acme-tls-client.key"
        try Data(caCertificate.pem.utf8).write(to: URL(fileURLWithPath: caPath))
        try Data(clientCertificate.pem.utf8).write(to: URL(fileURLWithPath: clientPath))
        try Data(clientKey.pem().utf8).write(to: URL(fileURLWithPath: clientKeyPath))
        let (acme, globex) = try pair(tls: true) { toGlobex, toAcme in
            toGlobex.extra += ["tls_client_certificate = \"\(clientPath)\"", "tls_client_private_key = \"\(clientKeyPath)\""]
            toAcme.extra += ["inbound_tls_client_certificate = \"\(clientPath)\""]
        }
        globex.httpExtra = ["tls_client_ca_file = \"\(caPath)\""]
        try globex.start()
        try acme.start()
        let document = payload(9_000)
        try acme.drop(document, as: "mtls.bin", to: "globex")
        let sent = try acme.waitSent("mtls.bin", partner: "globex")
        XCTAssertEqual(sent.mdn.dispositionType, .processed)
        XCTAssertTrue(globex.read("acme", "inbox", "mtls.bin") == document, "the payload must be byte-identical")

        // The same partner over plain HTTP has no client certificate: 403.
        let factory = HTTPMessageFactory(from: acme.party, to: globex.party, workDirectory: root + "/work")
        let request = try factory.request(payload(1000), messageID: HTTPMessageFactory.messageID("nocert"))
        XCTAssertEqual(try HTTPSocket.exchange(port: globex.httpPort, request)?.status, 403)
    }
}
