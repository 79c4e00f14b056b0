import AS2Bytes
@testable import AS2Crypto
import Foundation
import XCTest

/// The embedded certificates are removed before OpenSSL parses a signature, and nothing else changes.
final class SignedDataLayoutTests: XCTestCase {
    var dir: TempDirectory!
    let content = MemoryByteSource(Array("Content-Type: text/plain\r\n\r\nhello\r\n".utf8) + randomBytes(500))

    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() { dir = nil }

    private func printed(_ der: [UInt8]) throws -> String {
        let path = try dir.write("sig.der", der)
        return try openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", path]).text
    }

    /// The `signerInfos:` section of `openssl cms -print` (everything after the certificates).
    private func signerInfos(_ text: String) -> Substring {
        text.range(of: "signerInfos:").map { text[$0.lowerBound...] } ?? ""
    }

    func testCertificatesAreLeftOutAndTheRestKept() throws {
        let signature = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256)
        let stripped = SignedDataLayout.strippingCertificates(signature)
        XCTAssertLessThan(stripped.count, signature.count - Fixtures.alice.certificate.der.count + 1)
        let before = try printed(signature)
        let after = try printed(stripped)
        XCTAssertTrue(before.contains("alice.as2.test"), before)
        XCTAssertFalse(after.contains("cert_info"), after)
        XCTAssertEqual(signerInfos(before), signerInfos(after))
        XCTAssertFalse(signerInfos(after).isEmpty)
    }

    func testBERIndefiniteLengthsAndSeveralCertificates() throws {
        let cert = try dir.write("bob.pem", Fixtures.bob.certificate.pem)
        let key = try dir.write("bob.key", Fixtures.bob.privateKey.pem())
        let data = try dir.write("content.bin", content.bytes)
        let others = try dir.write("others.pem", Fixtures.alice.certificate.pem + Fixtures.carol.certificate.pem)
        let out = dir.file("streamed.der")
        try openssl(["cms", "-sign", "-binary", "-stream", "-in", data, "-signer", cert, "-inkey", key, "-certfile", others, "-outform", "DER", "-out", out])
        let signature = try dir.read("streamed.der")
        XCTAssertEqual(Array(signature.prefix(2)), [0x30, 0x80])
        let layout = try SignedDataLayout(parsing: signature)
        XCTAssertNotNil(layout.certificates)
        let stripped = layout.withoutCertificates(signature)
        let after = try printed(stripped)
        let certificates = after.components(separatedBy: "signerInfos:")[0]
        for name in ["alice", "bob", "carol"] { XCTAssertFalse(certificates.contains("\(name).as2.test"), after) }
        XCTAssertFalse(after.contains("cert_info"), after)
        XCTAssertEqual(signerInfos(try printed(signature)), signerInfos(after))
        XCTAssertTrue(CMS.verifyDetached(signature: signature, content: content, trusted: [Fixtures.bob.certificate]).isValid)
    }

    func testSignaturesWithoutCertificatesOrUnusualBytesAreLeftAlone() throws {
        let bare = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256, includeCertificates: false)
        XCTAssertNil(try SignedDataLayout(parsing: bare).certificates)
        XCTAssertEqual(SignedDataLayout.strippingCertificates(bare), bare)
        // Trailing bytes, truncation, other content types: handed to OpenSSL unchanged.
        let full = try CMS.signDetached(content: content, signer: Fixtures.alice, digest: .sha256)
        for odd in [full + [0], Array(full.dropLast()), [0x30, 0x00], []] {
            XCTAssertEqual(SignedDataLayout.strippingCertificates(odd), odd)
        }
        let sink = MemorySink()
        try CMS.compress(content: content, to: sink)
        XCTAssertEqual(SignedDataLayout.strippingCertificates(sink.bytes), sink.bytes)
    }
}
