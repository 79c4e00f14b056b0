import AS2Crypto
import Foundation
import XCTest

@testable import AS2Config

final class CredentialLoaderTests: XCTestCase {
    func testCurrentAndPreviousIdentitiesArePairedByPublicKey() throws {
        let setup = try FileChecksTests.Setup()
        // previous key 1: certificate in previous_certificates; previous key 2: certificate in its own PEM.
        let second = try KeyGenerator.generateRSA(bits: 2048)
        try setup.writeKey("old/one.key", setup.keys.other)
        try setup.writeCertificate("old/one.crt", setup.keys.other, "ACME-2025")
        try setup.writeCertificate("old/two.crt", second, "ACME-2024")
        let combined = second.pem() + (try String(contentsOfFile: setup.dir.path + "/old/two.crt", encoding: .utf8))
        try setup.dir.write("old/two.pem", combined)
        setup.replace("[http]", "previous_private_keys = [\"old/two.pem\", \"old/one.key\"]\nprevious_certificates = [\"old/one.crt\"]\n[http]")
        let path = try setup.dir.write("agent.conf", setup.configText)
        let configuration = try ConfigurationLoader.load(path: path)

        let identities = try CredentialLoader.identities(for: configuration)
        XCTAssertEqual(identities.current.certificate.commonName, "ACME")
        XCTAssertEqual(identities.previous.map(\.certificate.commonName), ["ACME-2024", "ACME-2025"])
        XCTAssertEqual(identities.decryptionIdentities.count, 3)

        let partner = try XCTUnwrap(configuration.partners.first)
        XCTAssertEqual(try CredentialLoader.signatureCertificates(of: partner, in: configuration).map(\.commonName), ["GLOBEX"])
        XCTAssertEqual(try CredentialLoader.encryptionCertificate(of: partner, in: configuration)?.commonName, "GLOBEX")
    }

    func testFailuresNameTheKey() throws {
        let setup = try FileChecksTests.Setup()
        try setup.writeKey("keys/acme.key", setup.keys.other)
        let configuration = try ConfigurationLoader.load(path: try setup.dir.write("agent.conf", setup.configText))
        XCTAssertThrowsError(try CredentialLoader.identities(for: configuration)) { error in
            XCTAssertEqual((error as? ConfigurationError)?.problems.first?.keyPath, "agent.private_key")
        }
        try FileManager.default.removeItem(atPath: setup.dir.path + "/partners/globex.crt")
        XCTAssertThrowsError(try CredentialLoader.signatureCertificates(of: configuration.partners[0], in: configuration)) { error in
            XCTAssertEqual((error as? ConfigurationError)?.problems.first?.keyPath, "partner[globex].certificate")
            XCTAssertEqual((error as? ConfigurationError)?.problems.first?.code, .certificate)
        }
    }
}
