import AS2Bytes
import AS2Crypto
import Foundation
import XCTest

final class CertificateTests: XCTestCase {
    var dir: TempDirectory!

    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() { dir = nil }

    /// A key and self-signed certificate made by the openssl CLI.
    private func cliIdentity(_ name: String, days: String = "30") throws -> (key: String, cert: String) {
        let key = dir.file("\(name).key")
        let cert = dir.file("\(name).pem")
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", days,
                     "-subj", "/O=Example Corp/CN=\(name).example"])
        return (key, cert)
    }

    func testLoadsPEMAndDERCertificateMadeByOpenSSL() throws {
        let (_, pem) = try cliIdentity("partner")
        let der = dir.file("partner.der")
        try openssl(["x509", "-in", pem, "-outform", "DER", "-out", der])
        let fromPEM = try Certificate.load(fromFile: pem)
        let fromDER = try Certificate.load(fromFile: der)
        XCTAssertEqual(fromPEM.count, 1)
        XCTAssertEqual(fromDER.count, 1)
        XCTAssertEqual(fromPEM[0], fromDER[0])
        XCTAssertEqual(fromPEM[0].der, try dir.read("partner.der"))
        XCTAssertEqual(fromPEM[0].commonName, "partner.example")
        XCTAssertEqual(fromPEM[0].subject, "CN=partner.example,O=Example Corp")
        XCTAssertEqual(fromPEM[0].issuer, fromPEM[0].subject)
        XCTAssertTrue(fromPEM[0].isSelfSigned)
        XCTAssertEqual(fromPEM[0].publicKeyDescription, "RSA 2048")
        XCTAssertEqual(fromPEM[0].publicKeyBits, 2048)
        // Our PEM output is read back by OpenSSL unchanged.
        let again = try openssl(["x509", "-outform", "DER"], input: Array(fromPEM[0].pem.utf8))
        XCTAssertEqual(again.stdout, fromPEM[0].der)
    }

    func testFingerprintSerialAndDatesMatchOpenSSL() throws {
        let (_, pem) = try cliIdentity("fp")
        let cert = try Certificate.load(fromFile: pem)[0]
        let out = try openssl(["x509", "-in", pem, "-noout", "-fingerprint", "-sha256", "-serial", "-enddate", "-startdate"]).text
        let lines = Dictionary(uniqueKeysWithValues: out.split(separator: "\n").map { line -> (String, String) in
            let parts = line.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        })
        XCTAssertEqual(cert.sha256Fingerprint, lines["sha256 Fingerprint"]?.lowercased())
        XCTAssertEqual(cert.serialNumberHex, lines["serial"]?.lowercased())
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        let squash = { (s: String) in s.split(separator: " ").joined(separator: " ") }
        XCTAssertEqual(cert.notAfter, format.date(from: squash(lines["notAfter"] ?? "")))
        XCTAssertEqual(cert.notBefore, format.date(from: squash(lines["notBefore"] ?? "")))
        XCTAssertTrue(cert.isValid(at: Date()))
        XCTAssertFalse(cert.isValid(at: Date().addingTimeInterval(40 * 86_400)))
    }

    func testLoadsSeveralCertificatesFromOnePEMBundle() throws {
        let bundle = Fixtures.alice.certificate.pem + "some comment\n" + Fixtures.bob.certificate.pem
        let path = try dir.write("bundle.pem", bundle)
        let certs = try Certificate.load(fromFile: path)
        XCTAssertEqual(certs, [Fixtures.alice.certificate, Fixtures.bob.certificate])
    }

    func testLoadsCombinedPEMAndPKCS7Bundles() throws {
        // One PEM file with key and certificate, in either order (a common way to ship an identity).
        let combined = Fixtures.alice.privateKey.pem() + Fixtures.alice.certificate.pem
        let path = try dir.write("combined.pem", combined)
        XCTAssertEqual(try Certificate.load(fromFile: path), [Fixtures.alice.certificate])
        XCTAssertTrue(try PrivateKey.load(fromFile: path, password: nil).matches(Fixtures.alice.certificate))
        let reversed = try dir.write("reversed.pem", Fixtures.alice.certificate.pem + Fixtures.alice.privateKey.pem())
        XCTAssertTrue(try PrivateKey.load(fromFile: reversed, password: nil).matches(Fixtures.alice.certificate))

        // PKCS #7 certificate bundles (.p7b) as Windows exports them, PEM and DER.
        let a = try dir.write("a.pem", Fixtures.alice.certificate.pem)
        let b = try dir.write("b.pem", Fixtures.bob.certificate.pem)
        let p7pem = dir.file("bundle.p7b")
        let p7der = dir.file("bundle.p7c")
        try openssl(["crl2pkcs7", "-nocrl", "-certfile", a, "-certfile", b, "-out", p7pem])
        try openssl(["crl2pkcs7", "-nocrl", "-certfile", a, "-certfile", b, "-outform", "DER", "-out", p7der])
        XCTAssertEqual(Set(try Certificate.load(fromFile: p7pem)), [Fixtures.alice.certificate, Fixtures.bob.certificate])
        XCTAssertEqual(Set(try Certificate.load(fromFile: p7der)), [Fixtures.alice.certificate, Fixtures.bob.certificate])
    }

    func testGarbageIsMalformed() throws {
        assertThrowsCrypto(.malformedInput) { try Certificate.load(der: [0x30, 0x03, 0x02, 0x01]) }
        assertThrowsCrypto(.malformedInput) { try Certificate.load(pem: Array("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8)) }
        assertThrowsCrypto(.io) { try Certificate.load(fromFile: dir.file("missing.pem")) }
    }

    func testLoadsKeysInEveryFormatAndRejectsWrongPasswords() throws {
        let (keyPath, certPath) = try cliIdentity("keys")
        let cert = try Certificate.load(fromFile: certPath)[0]
        let pkcs8 = try PrivateKey.load(fromFile: keyPath, password: nil)
        XCTAssertTrue(pkcs8.matches(cert))
        XCTAssertEqual(pkcs8.bits, 2048)

        let pkcs1 = dir.file("pkcs1.pem")
        try openssl(["rsa", "-in", keyPath, "-traditional", "-out", pkcs1])
        XCTAssertTrue(String(decoding: try dir.read("pkcs1.pem"), as: UTF8.self).contains("BEGIN RSA " + "PRIVATE KEY"))
        XCTAssertTrue(try PrivateKey.load(fromFile: pkcs1, password: nil).matches(cert))

        let encrypted = dir.file("enc.pem")
        try openssl(["pkcs8", "-topk8", "-in", keyPath, "-v2", "aes-256-cbc", "-passout", "pass:s3cret", "-out", encrypted])
        XCTAssertTrue(try PrivateKey.load(fromFile: encrypted, password: "s3cret").matches(cert))
        assertThrowsCrypto(.wrongPassword) { try PrivateKey.load(fromFile: encrypted, password: "wrong") }
        assertThrowsCrypto(.wrongPassword) { try PrivateKey.load(fromFile: encrypted, password: nil) }

        let legacyEncrypted = dir.file("legacy-enc.pem")
        try openssl(["rsa", "-in", keyPath, "-traditional", "-aes256", "-passout", "pass:s3cret", "-out", legacyEncrypted])
        XCTAssertTrue(try PrivateKey.load(fromFile: legacyEncrypted, password: "s3cret").matches(cert))
        assertThrowsCrypto(.wrongPassword) { try PrivateKey.load(fromFile: legacyEncrypted, password: "nope") }

        let der = dir.file("key.der")
        try openssl(["pkcs8", "-topk8", "-nocrypt", "-in", keyPath, "-outform", "DER", "-out", der])
        XCTAssertTrue(try PrivateKey.load(fromFile: der, password: nil).matches(cert))
        let derPKCS1 = dir.file("key1.der")
        try openssl(["rsa", "-in", keyPath, "-traditional", "-outform", "DER", "-out", derPKCS1])
        XCTAssertTrue(try PrivateKey.load(fromFile: derPKCS1, password: nil).matches(cert))
        let derEncrypted = dir.file("key-enc.der")
        try openssl(["pkcs8", "-topk8", "-in", keyPath, "-v2", "aes-128-cbc", "-passout", "pass:pw", "-outform", "DER", "-out", derEncrypted])
        XCTAssertTrue(try PrivateKey.load(fromFile: derEncrypted, password: "pw").matches(cert))
        assertThrowsCrypto(.wrongPassword) { try PrivateKey.load(fromFile: derEncrypted, password: "pw2") }
        assertThrowsCrypto(.wrongPassword) { try PrivateKey.load(fromFile: derEncrypted, password: nil) }

        assertThrowsCrypto(.malformedInput) { try PrivateKey.load(der: [1, 2, 3], password: nil) }
    }

    func testExportedKeyPEMRoundTripsAndIsReadableByOpenSSL() throws {
        let key = Fixtures.alice.privateKey
        let plain = key.pem()
        XCTAssertTrue(plain.hasPrefix("-----BEGIN " + "PRIVATE KEY-----"))
        XCTAssertTrue(try PrivateKey.load(pem: Array(plain.utf8), password: nil).matches(Fixtures.alice.certificate))
        let encrypted = key.pem(password: "pa55")
        XCTAssertTrue(encrypted.hasPrefix("-----BEGIN ENCRYPTED " + "PRIVATE KEY-----"))
        XCTAssertTrue(try PrivateKey.load(pem: Array(encrypted.utf8), password: "pa55").matches(Fixtures.alice.certificate))
        assertThrowsCrypto(.wrongPassword) { try PrivateKey.load(pem: Array(encrypted.utf8), password: "x") }
        let path = try dir.write("exported.pem", encrypted)
        let check = try openssl(["pkey", "-in", path, "-passin", "pass:pa55", "-noout", "-text"])
        XCTAssertTrue(check.text.contains("2048 bit"))
        let info = try openssl(["asn1parse", "-in", path], expectSuccess: true).text
        XCTAssertTrue(info.contains("aes-256-cbc"), info)
    }

    func testIdentityRejectsAKeyOfAnotherCertificate() throws {
        XCTAssertFalse(Fixtures.alice.privateKey.matches(Fixtures.bob.certificate))
        assertThrowsCrypto(.keyCertificateMismatch) {
            try Identity(certificate: Fixtures.bob.certificate, privateKey: Fixtures.alice.privateKey)
        }
        let (keyPath, _) = try cliIdentity("other")
        let otherKey = try PrivateKey.load(fromFile: keyPath, password: nil)
        assertThrowsCrypto(.keyCertificateMismatch) { try Identity(certificate: Fixtures.alice.certificate, privateKey: otherKey) }
    }

    func testLoadsPKCS12FromOpenSSLWithChainAndChecksPassword() throws {
        // A CA, and a leaf it issued, bundled as PKCS #12 by the CLI.
        let (caKey, caCert) = try cliIdentity("ca", days: "60")
        let leafKey = dir.file("leaf.key")
        let csr = dir.file("leaf.csr")
        let leafCert = dir.file("leaf.pem")
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", leafKey, "-out", csr, "-subj", "/CN=leaf.example"])
        try openssl(["x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial", "-days", "10", "-out", leafCert])
        let p12 = dir.file("leaf.p12")
        try openssl(["pkcs12", "-export", "-inkey", leafKey, "-in", leafCert, "-certfile", caCert, "-passout", "pass:p12pw", "-out", p12])

        let identity = try Identity.loadPKCS12(path: p12, password: "p12pw")
        XCTAssertEqual(identity.certificate.commonName, "leaf.example")
        XCTAssertEqual(identity.chain.map(\.commonName), ["ca.example"])
        XCTAssertFalse(identity.certificate.isSelfSigned)
        XCTAssertEqual(identity.certificate.issuer, identity.chain[0].subject)
        assertThrowsCrypto(.wrongPassword) { try Identity.loadPKCS12(path: p12, password: "nope") }
        assertThrowsCrypto(.wrongPassword) { try Identity.loadPKCS12(path: p12, password: nil) }

        // Legacy PKCS #12 (RC2-40 / 3DES, SHA-1 MAC) as Windows and Java tools write it.
        let legacy = dir.file("legacy.p12")
        try openssl(["pkcs12", "-export", "-legacy", "-inkey", leafKey, "-in", leafCert, "-passout", "pass:old", "-out", legacy])
        XCTAssertTrue(try openssl(["pkcs12", "-info", "-in", legacy, "-passin", "pass:old", "-noout", "-legacy"]).stderr.contains("RC2"))
        XCTAssertEqual(try Identity.loadPKCS12(path: legacy, password: "old").certificate, identity.certificate)

        // Our own export reads back with the CLI and with us.
        let exported = try dir.write("ours.p12", try identity.pkcs12(password: "x"))
        try openssl(["pkcs12", "-in", exported, "-passin", "pass:x", "-nokeys", "-noout"])
        let back = try Identity.loadPKCS12(path: exported, password: "x")
        XCTAssertEqual(back.certificate, identity.certificate)
        XCTAssertEqual(back.chain, identity.chain)
    }

    func testGeneratedSelfSignedCertificateHasTheAgreedProfile() throws {
        let key = try KeyGenerator.generateRSA(bits: 3072)
        XCTAssertEqual(key.bits, 3072)
        let cert = try KeyGenerator.selfSignedCertificate(key: key, commonName: "Ünïcode AS2", organization: "ACME", validityDays: 365)
        XCTAssertEqual(cert.commonName, "Ünïcode AS2")
        XCTAssertEqual(cert.subject, "CN=Ünïcode AS2,O=ACME")
        XCTAssertTrue(cert.isSelfSigned)
        XCTAssertEqual(Set(cert.keyUsage), ["digitalSignature", "keyEncipherment", "dataEncipherment"])
        XCTAssertEqual(cert.extendedKeyUsage, [])
        XCTAssertNotNil(cert.subjectKeyIdentifier)
        XCTAssertEqual(cert.serialNumberHex.count, 32)
        XCTAssertEqual(cert.notAfter.timeIntervalSince(cert.notBefore), 365 * 86_400, accuracy: 1)
        XCTAssertTrue(key.matches(cert))
        let path = try dir.write("gen.pem", cert.pem)
        let text = try openssl(["x509", "-in", path, "-noout", "-text"]).text
        XCTAssertTrue(text.contains("CA:FALSE"), text)
        XCTAssertTrue(text.contains("Signature Algorithm: sha256WithRSAEncryption"), text)
        XCTAssertTrue(text.contains("Subject Key Identifier"), text)
        try openssl(["verify", "-CAfile", path, "-purpose", "any", path])
        // A second certificate never repeats the serial.
        let other = try KeyGenerator.selfSignedCertificate(key: key, commonName: "x", organization: nil, validityDays: 1)
        XCTAssertNotEqual(other.serialNumberHex, cert.serialNumberHex)
        assertThrowsCrypto(.unsupportedAlgorithm) { try KeyGenerator.generateRSA(bits: 1024) }
    }

    func testIssuedCertificateChainsToItsIssuer() throws {
        let caKey = try KeyGenerator.generateRSA(bits: 2048)
        let caCert = try KeyGenerator.selfSignedCertificate(key: caKey, commonName: "Test CA", organization: nil, validityDays: 30, isCertificateAuthority: true)
        let ca = try Identity(certificate: caCert, privateKey: caKey)
        let leafKey = try KeyGenerator.generateRSA(bits: 2048)
        let leaf = try KeyGenerator.issueCertificate(key: leafKey, commonName: "leaf", issuer: ca, validityDays: 5)
        XCTAssertEqual(leaf.issuer, "CN=Test CA")
        XCTAssertFalse(leaf.isSelfSigned)
        let caPath = try dir.write("ca.pem", caCert.pem)
        let leafPath = try dir.write("leaf.pem", leaf.pem)
        try openssl(["verify", "-CAfile", caPath, leafPath])
        XCTAssertTrue(caCert.keyUsage.contains("keyCertSign"))
    }

    func testExpiredCertificateIsReportedAsSuch() throws {
        let cert = Fixtures.expired.certificate
        XCTAssertFalse(cert.isValid(at: Date()))
        XCTAssertTrue(cert.isValid(at: Date().addingTimeInterval(-8 * 86_400)))
        XCTAssertLessThan(cert.notAfter, Date())
        let path = try dir.write("expired.pem", cert.pem)
        let check = try openssl(["x509", "-in", path, "-noout", "-checkend", "0"], expectSuccess: false)
        XCTAssertNotEqual(check.status, 0, "openssl agrees the certificate has expired")
    }

    func testCertificateSigningRequestVerifies() throws {
        let key = try KeyGenerator.generateRSA(bits: 2048)
        let pem = try KeyGenerator.certificateSigningRequest(key: key, commonName: "as2.example.com", organization: "Example")
        XCTAssertTrue(pem.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----"))
        let path = try dir.write("req.pem", pem)
        let out = try openssl(["req", "-in", path, "-verify", "-noout", "-subject"])
        XCTAssertTrue((out.text + out.stderr).contains("verify OK") || (out.text + out.stderr).contains("Certificate request self-signature verify OK"), out.stderr)
        XCTAssertTrue(out.text.contains("CN = as2.example.com"), out.text)
    }

    func testExtendedKeyUsageNames() throws {
        let key = dir.file("eku.key")
        let cert = dir.file("eku.pem")
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=eku",
                     "-addext", "extendedKeyUsage=serverAuth,clientAuth,1.3.6.1.4.1.99999.1", "-addext", "keyUsage=nonRepudiation"])
        let loaded = try Certificate.load(fromFile: cert)[0]
        XCTAssertEqual(loaded.extendedKeyUsage, ["serverAuth", "clientAuth", "1.3.6.1.4.1.99999.1"])
        XCTAssertEqual(loaded.keyUsage, ["nonRepudiation"])
    }
}
