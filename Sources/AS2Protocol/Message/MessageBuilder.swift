import AS2Bytes
import AS2Crypto
import AS2MIME
import Foundation

/// An AS2 message ready to POST: HTTP headers, body, and the MICs to expect in the receipt.
public struct PreparedMessage: Sendable {
    public let messageID: String
    /// HTTP headers in the order to send them (never folded).
    public let headers: [(name: String, value: String)]
    public let body: any ByteSource
    /// Digests of the MIC input for every algorithm the receipt may use (R-MICALG-3).
    public let expectedMICs: [ExpectedMIC]
    /// The MIC we expect back under RFC 4130's rules (the first of `expectedMICs`).
    public var primaryMIC: ExpectedMIC? { expectedMICs.first }
    public let layers: [MessageLayer]
}

/// Builds outbound AS2 messages for every layering of requirements §2.1 rows 1–10: payload
/// entity → (compress) → (sign) → (compress) → (encrypt). Nothing is copied that need not be: the
/// payload is read from its `ByteSource` while hashing, signing and encrypting.
public enum MessageBuilder {
    /// Builds the message. `signer` is required when signing; `recipients` (the partner's
    /// encryption certificate) when encrypting. Intermediate layers larger than `memoryThreshold`
    /// spool to `workDirectory`; the final body is written to `bodyPath` when given (for resends),
    /// else kept as built.
    public static func build(
        payload: any ByteSource,
        options: OutboundMessageOptions,
        signer: Identity?,
        recipients: [Certificate],
        workDirectory: String,
        bodyPath: String? = nil,
        memoryThreshold: Int = 4 << 20
    ) throws -> PreparedMessage {
        var layers: [MessageLayer] = []

        // 1. The payload MIME entity (R-PL-1..4).
        var payloadHeaders: [(String, String)] = [("Content-Type", options.contentType)]
        var payloadBody: any ByteSource = payload
        switch options.payloadTransferEncoding {
        case .binary:
            payloadHeaders.append(("Content-Transfer-Encoding", "binary"))
        case .base64:
            payloadHeaders.append(("Content-Transfer-Encoding", "base64"))
            let sink = SpoolingSink(threshold: memoryThreshold, directory: workDirectory)
            try TransferEncoding.encodeBase64(payload, to: sink)
            payloadBody = try sink.source()
        }
        if let filename = options.filename {
            payloadHeaders.append(("Content-Disposition", ContentDisposition(type: "attachment", filename: filename).headerValue))
        }
        var current = Entity(headers: payloadHeaders, body: payloadBody)
        let payloadEntity = current

        func compressCurrent() throws {
            let sink = SpoolingSink(threshold: memoryThreshold, directory: workDirectory)
            try CMS.compress(content: current.bytes, to: sink)
            current = Entity(
                headers: [
                    ("Content-Type", "application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z"),
                    ("Content-Transfer-Encoding", "binary"),
                    ("Content-Disposition", "attachment; filename=smime.p7z"),
                ],
                body: try sink.source()
            )
            layers.insert(.compressed, at: 0)
        }

        // 2. Compression inside the signature (or without one).
        if options.compression == .beforeSigning || (options.compression == .afterSigning && options.signature == nil) {
            try compressCurrent()
        }

        // 3. The signature (multipart/signed, RFC 1847; R-MS-1..5).
        var expectedMICs: [ExpectedMIC] = []
        let mdnDigest = options.mdn?.signingDigest
        if let digest = options.signature {
            guard let signer else { throw AS2ProtocolError.configuration("signing requested without a signing identity") }
            let firstPart = current.bytes
            // The signing pass hashes exactly the MIC input (the first part, R-MIC-1): its
            // messageDigest is the MIC under the signing digest.
            let (signature, signedDigest) = try CMS.signDetachedReturningDigest(
                content: firstPart, signer: signer, digest: digest,
                scheme: options.signatureScheme, includeCertificates: options.includeCertificates
            )
            // R-MICALG-1/3: the signing digest, and whatever the receipt request names.
            var algorithms: Set<DigestAlgorithm> = [digest]
            if let mdnDigest { algorithms.insert(mdnDigest) }
            var digests = try MultiDigest.compute(algorithms.subtracting([digest]), over: firstPart)
            digests[digest] = signedDigest
            expectedMICs.append(ExpectedMIC(algorithm: digest, digest: digests[digest]!, variant: "signed-content"))
            for a in algorithms.sorted() where a != digest {
                expectedMICs.append(ExpectedMIC(algorithm: a, digest: digests[a]!, variant: "signed-content"))
            }
            let boundary = MIMEWriter.randomBoundary()
            let signaturePart = MIMEWriter.entity(
                headers: MIMEHeaders([
                    ("Content-Type", "application/pkcs7-signature; name=smime.p7s; smime-type=signed-data"),
                    ("Content-Transfer-Encoding", "base64"),
                    ("Content-Disposition", "attachment; filename=smime.p7s"),
                ]),
                body: MemoryByteSource(TransferEncoding.encodeBase64(signature, lineLength: 76))
            )
            let contentType = ContentType(
                "multipart/signed",
                parameters: [
                    ("protocol", "application/pkcs7-signature"),
                    ("micalg", options.micalgName(digest)),
                    ("boundary", boundary),
                ]
            )
            current = Entity(
                headers: [("Content-Type", contentType.headerValue)],
                body: MIMEWriter.multipart(boundary: boundary, parts: [firstPart, signaturePart])
            )
            layers.insert(.signed(digest: digest, scheme: options.signatureScheme, signerFingerprint: signer.certificate.sha256Fingerprint), at: 0)
            // 4. Compression outside the signature (RFC 5402 §3.3 / §3.6).
            if options.compression == .afterSigning { try compressCurrent() }
        } else {
            // R-MICALG-2: the requested algorithm, else SHA-1. RFC 4130 §7.3.1 hashes the bare content
            // of a plain message; with encryption or compression the whole entity (RFC 5402 §4.2/4.3).
            var algorithms: Set<DigestAlgorithm> = [.sha1]
            if let mdnDigest { algorithms.insert(mdnDigest) }
            let primary = mdnDigest ?? .sha1
            let plain = options.encryption == nil && options.compression == .none
            // The payload entity with headers: what the receiver gets after decrypting (RFC 4130
            // §7.3.1) and decompressing (RFC 5402 §4.2/§4.3), never the compressed-data entity.
            let input: any ByteSource = plain ? payloadEntity.body : payloadEntity.bytes
            let digests = try MultiDigest.compute(algorithms, over: input)
            let variant = plain ? "content" : "entity"
            expectedMICs.append(ExpectedMIC(algorithm: primary, digest: digests[primary]!, variant: variant))
            for a in algorithms.sorted() where a != primary {
                expectedMICs.append(ExpectedMIC(algorithm: a, digest: digests[a]!, variant: variant))
            }
            if !plain && options.encryption == nil {
                // Unsigned, unencrypted, compressed: RFC 4130 and RFC 5402 disagree (requirements
                // §8.1). Accept the content-only digest too.
                let alt = try MultiDigest.compute(algorithms, over: payloadEntity.body)
                for a in algorithms.sorted() {
                    expectedMICs.append(ExpectedMIC(algorithm: a, digest: alt[a]!, variant: "content (RFC 4130)"))
                }
            }
        }

        // 5. Encryption, always outermost.
        var outerHeaders: [(String, String)]
        var body: any ByteSource
        if let algorithm = options.encryption {
            guard !recipients.isEmpty else { throw AS2ProtocolError.configuration("encryption requested without a partner certificate") }
            let sink: ByteSink & SourceProducing
            if let bodyPath {
                sink = try FileSinkProducer(path: bodyPath)
            } else {
                sink = SpoolingSinkProducer(SpoolingSink(threshold: memoryThreshold, directory: workDirectory))
            }
            try CMS.encrypt(content: current.bytes, recipients: recipients, algorithm: algorithm, keyTransport: options.keyTransport, to: sink)
            body = try sink.source()
            let smimeType = algorithm.isAuthenticated ? "authEnveloped-data" : "enveloped-data"
            outerHeaders = [
                ("Content-Type", "application/pkcs7-mime; smime-type=\(smimeType); name=smime.p7m"),
                ("Content-Transfer-Encoding", "binary"),
                ("Content-Disposition", "attachment; filename=smime.p7m"),
            ]
            layers.insert(.encrypted(algorithm: algorithm, keyTransport: options.keyTransport, recipientFingerprint: recipients.first?.sha256Fingerprint), at: 0)
        } else {
            outerHeaders = current.headers
            body = current.body
            if let bodyPath {
                try AtomicFile.write(body, to: bodyPath, sync: true)
                body = try FileByteSource(path: bodyPath)
            }
        }

        // 6. The AS2 HTTP headers (requirements §1.2).
        var headers: [(name: String, value: String)] = [
            ("AS2-Version", "1.1"),
            ("AS2-From", options.as2From.headerValue),
            ("AS2-To", options.as2To.headerValue),
            ("Message-ID", options.messageID),
            ("Date", HTTPDate.format(options.date)),
            ("Subject", options.subject),
            ("MIME-Version", "1.0"),
            ("User-Agent", options.userAgent),
        ]
        if let recipient = options.recipientAddress { headers.append(("Recipient-Address", recipient)) }
        if let mdn = options.mdn {
            headers.append(("Disposition-Notification-To", options.as2From.value.contains(" ") ? "as2-agent" : options.as2From.value))
            if let digest = mdn.signingDigest {
                headers.append((
                    "Disposition-Notification-Options",
                    DispositionNotificationOptions.requestSigned(digest: digest, legacyNames: options.legacyMicalgNames)
                ))
            }
            if let url = mdn.receiptDeliveryURL { headers.append(("Receipt-Delivery-Option", url)) }
        }
        for (name, value) in outerHeaders { headers.append((name, value)) }

        return PreparedMessage(messageID: options.messageID, headers: headers, body: body, expectedMICs: expectedMICs, layers: layers)
    }
}

/// A MIME entity under construction: header lines plus a body source.
struct Entity {
    var headers: [(String, String)]
    var body: any ByteSource
    /// Headers (CRLF-terminated), an empty line, then the body — the exact bytes to hash and sign.
    var bytes: ConcatenatedByteSource { MIMEWriter.entity(headers: MIMEHeaders(headers), body: body) }
}

/// A sink whose result can be read back as a `ByteSource`.
protocol SourceProducing: AnyObject {
    func source() throws -> any ByteSource
}

final class SpoolingSinkProducer: ByteSink, SourceProducing {
    let inner: SpoolingSink
    init(_ inner: SpoolingSink) { self.inner = inner }
    var bytesWritten: Int { inner.bytesWritten }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try inner.write(bytes) }
    func source() throws -> any ByteSource { try inner.source() }
}

/// Writes the final body straight to its resend file (fsynced before it is used).
final class FileSinkProducer: ByteSink, SourceProducing {
    let path: String
    let sink: FileSink
    init(path: String) throws {
        self.path = path
        self.sink = try FileSink(path: path, exclusive: false, mode: 0o600)
    }
    var bytesWritten: Int { sink.bytesWritten }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try sink.write(bytes) }
    func source() throws -> any ByteSource {
        try sink.close(sync: true)
        return try FileByteSource(path: path)
    }
}
