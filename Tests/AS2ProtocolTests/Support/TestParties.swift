import AS2Bytes
import AS2Crypto
import AS2MIME
import AS2Protocol
import Foundation
import XCTest

/// Keys and certificates generated once per test run: us (ACME), our partner (GLOBEX), and an
/// outsider (MALLORY) whose signatures and encryption keys must never be accepted.
struct TestParties: Sendable {
    let acme: Identity
    let globex: Identity
    let mallory: Identity

    static let shared: TestParties = {
        func make(_ name: String) -> Identity {
            let key = try! KeyGenerator.generateRSA(bits: 2048)
            let cert = try! KeyGenerator.selfSignedCertificate(key: key, commonName: name, organization: "Test", validityDays: 30)
            return try! Identity(certificate: cert, privateKey: key, chain: [])
        }
        return TestParties(acme: make("ACME"), globex: make("GLOBEX"), mallory: make("MALLORY"))
    }()
}

/// A scratch folder per test.
func makeWorkDirectory() -> String {
    let dir = NSTemporaryDirectory() + "as2proto-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Builds from GLOBEX to ACME, then unpacks as ACME — the loop most tests run.
struct Exchange {
    let parties = TestParties.shared
    let work = makeWorkDirectory()

    func options(
        sign: DigestAlgorithm? = .sha256, encrypt: ContentEncryptionAlgorithm? = .aes256CBC,
        compress: CompressionMode = .none, mdn: MDNRequest? = MDNRequest(signingDigest: .sha256),
        filename: String? = "invoice.edi", contentType: String = "application/edi-x12"
    ) -> OutboundMessageOptions {
        var o = OutboundMessageOptions(
            as2From: try! AS2Name("GLOBEX"), as2To: try! AS2Name("ACME"),
            messageID: MessageID.generate(domain: "globex.test"), contentType: contentType, filename: filename
        )
        o.signature = sign
        o.encryption = encrypt
        o.compression = compress
        o.mdn = mdn
        return o
    }

    func build(_ payload: [UInt8], _ options: OutboundMessageOptions, signer: Identity? = nil, recipient: Certificate? = nil) throws -> PreparedMessage {
        try MessageBuilder.build(
            payload: MemoryByteSource(payload), options: options, signer: signer ?? parties.globex,
            recipients: [recipient ?? parties.acme.certificate], workDirectory: work
        )
    }

    func unpack(
        headers: [(String, String)], body: any ByteSource, policy: InboundPolicy = InboundPolicy(),
        partnerCertificates: [Certificate]? = nil, now: Date = Date()
    ) throws -> (InboundRequest, UnpackResult) {
        let request = try InboundRequest(headers: headers)
        let security = InboundSecurity(
            decryptionIdentities: [parties.acme], partnerCertificates: partnerCertificates ?? [parties.globex.certificate]
        )
        return (request, MessageUnpacker.unpack(request: request, body: body, security: security, policy: policy, workDirectory: work, now: now))
    }

    func roundTrip(_ payload: [UInt8], _ options: OutboundMessageOptions, policy: InboundPolicy = InboundPolicy()) throws -> (PreparedMessage, InboundRequest, UnpackResult) {
        let message = try build(payload, options)
        let (request, result) = try unpack(headers: message.headers.map { ($0.name, $0.value) }, body: message.body, policy: policy)
        return (message, request, result)
    }
}

func accepted(_ result: UnpackResult, file: StaticString = #filePath, line: UInt = #line) throws -> UnpackedMessage {
    switch result {
    case let .accepted(m): return m
    case let .rejected(r):
        XCTFail("rejected: \(r.disposition.headerValue): \(r.reason)", file: file, line: line)
        throw XCTSkip("rejected")
    }
}

func rejection(_ result: UnpackResult, file: StaticString = #filePath, line: UInt = #line) -> UnpackRejection? {
    switch result {
    case .accepted:
        XCTFail("accepted, expected a rejection", file: file, line: line)
        return nil
    case let .rejected(r): return r
    }
}

func randomBytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255) } }

/// 1 KiB of text with LF line endings (the case pyas2lib and BouncyCastle rewrite).
let lfText: [UInt8] = Array((0..<40).map { "ISA*00*line \($0)*~\n" }.joined().utf8.prefix(1024))
