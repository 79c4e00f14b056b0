import AS2Bytes
import AS2Crypto
import AS2Protocol
import Foundation

/// Builds AS2 requests the way a partner would (AS2Protocol's builder), as exact HTTP bytes, so
/// tests can send, resend and mangle them on a raw connection.
struct HTTPMessageFactory {
    let from: HTTPTestParty
    let to: HTTPTestParty
    let workDirectory: String

    /// The HTTP request (head + body) for `payload` under `messageID`.
    func request(
        _ payload: [UInt8], messageID: String, fromID: String? = nil, toID: String? = nil,
        mdn: MDNRequest? = MDNRequest(signingDigest: .sha256), path: String = "/as2", dropHeaders: Set<String> = []
    ) throws -> [UInt8] {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let options = OutboundMessageOptions(
            as2From: try AS2Name(fromID ?? from.as2ID), as2To: try AS2Name(toID ?? to.as2ID), messageID: messageID,
            filename: "doc.bin", mdn: mdn
        )
        let prepared = try MessageBuilder.build(
            payload: MemoryByteSource(payload), options: options, signer: from.identity, recipients: [to.identity.certificate],
            workDirectory: workDirectory
        )
        let body = try prepared.body.readAll(limit: 64 << 20)
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for h in prepared.headers where !dropHeaders.contains(h.name.lowercased()) && h.name.lowercased() != "content-length" {
            head += "\(h.name): \(h.value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func messageID(_ tag: String) -> String { "<\(tag)-\(UUID().uuidString)@tests.example>" }
}
