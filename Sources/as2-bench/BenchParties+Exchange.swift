import AS2Bytes
import AS2Crypto
import AS2MIME
import AS2Protocol

/// The two halves of one exchange, exactly as the agent runs them: the sender's build, and the
/// receiver's unpack followed by its signed receipt.
extension BenchParties {
    /// MessageBuilder.build, signed and encrypted, the body written (and fsynced) to `bodyPath` when given.
    func build(payload: any ByteSource, messageID: String, workDirectory: String, bodyPath: String? = nil) throws -> PreparedMessage {
        try MessageBuilder.build(
            payload: payload, options: options(messageID: messageID), signer: sender,
            recipients: [receiver.certificate], workDirectory: workDirectory, bodyPath: bodyPath
        )
    }

    /// InboundRequest + MessageUnpacker.unpack under the default (strict) policy; a rejection is an error.
    func unpack(headers: [(String, String)], body: any ByteSource, workDirectory: String) throws -> (InboundRequest, UnpackedMessage) {
        let request = try InboundRequest(headers: headers)
        let result = MessageUnpacker.unpack(
            request: request, body: body, security: receiverSecurity, policy: InboundPolicy(), workDirectory: workDirectory
        )
        switch result {
        case let .accepted(message):
            return (request, message)
        case let .rejected(rejection):
            throw BenchError("the receiver rejected the message: \(rejection.disposition.headerValue): \(rejection.reason)")
        }
    }

    /// The signed MDN the request asked for (MDNBuilder.report + build).
    func acknowledge(_ request: InboundRequest, _ message: UnpackedMessage, mdnID: String) throws -> BuiltMDN {
        guard let digest = request.mdnRequest?.signingDigest else { throw BenchError("no signed MDN was requested") }
        let report = MDNBuilder.report(for: request, disposition: .processed, mic: message.mic, reason: nil)
        let mdn = try MDNBuilder.build(
            report: report, from: request.as2To, to: request.as2From, messageID: mdnID, signer: receiver, digest: digest
        )
        guard mdn.isSigned else { throw BenchError("the MDN is not signed") }
        return mdn
    }
}
