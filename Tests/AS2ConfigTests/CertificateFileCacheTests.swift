import AS2Crypto
import Foundation
import XCTest

@testable import AS2Config

/// Certificate files are parsed once and shared while unchanged, and read again once replaced.
final class CertificateFileCacheTests: XCTestCase {
    func testSameFileIsSharedUntilItChanges() throws {
        let dir = try TemporaryDirectory()
        let keys = try FileChecksTests.keys()
        let first = try KeyGenerator.selfSignedCertificate(
            key: keys.partner, commonName: "GLOBEX", organization: nil, validityDays: 30, notBefore: Date() - 3600)
        let path = try dir.write("globex.crt", first.pem, mode: 0o644)
        let cache = CertificateFileCache()

        let a = try cache.certificates(inFile: path)
        let b = try cache.certificates(inFile: path)
        XCTAssertEqual(a.count, 1)
        XCTAssertTrue(a[0] === b[0], "the second use shares the parsed certificate")
        XCTAssertEqual(cache.count, 1)

        let second = try KeyGenerator.selfSignedCertificate(
            key: keys.other, commonName: "GLOBEX 2", organization: nil, validityDays: 30, notBefore: Date() - 3600)
        let replacement = try dir.write("new.crt", second.pem, mode: 0o644)
        XCTAssertEqual(rename(replacement, path), 0)
        let c = try cache.certificates(inFile: path)
        XCTAssertEqual(c.map(\.der), [second.der], "a replaced file is read again")
        XCTAssertFalse(c[0] === a[0])

        XCTAssertThrowsError(try cache.certificates(inFile: dir.path + "/missing.crt"))
        _ = try dir.write("bad.crt", "not a certificate\n", mode: 0o644)
        XCTAssertThrowsError(try cache.certificates(inFile: dir.path + "/bad.crt"))
        XCTAssertEqual(cache.count, 1, "failures are not remembered")
    }
}
