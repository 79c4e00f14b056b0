import AS2Journal
import ArgumentParser
import Foundation

/// `as2-agent message evidence ID --out DIR`: writes a message's evidence from the journal as
/// files — for a received message the signed entity as received, the certificate that verified
/// it and the receipt we returned; for a sent one the receipt the partner returned.
struct MessageEvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Write the evidence of one message (signed entity, signer certificate, receipt) to a folder.",
        discussion: """
            Received messages: <id>.signed.msg (the multipart/signed entity byte for byte after the \
            message's AS2 headers, which with <id>.signer.pem proves who sent the document: \
            `as2-agent inspect <id>.signed.msg --partner-cert <id>.signer.pem` re-checks it) and \
            <id>.mdn-sent (the receipt we returned: headers, empty line, body). Sent messages: \
            <id>.mdn-received (the partner's receipt as received). Existing files are not overwritten.

            \(ExitStatus.helpText)
            """
    )
    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "Journal id or Message-ID.") var id: String
    @Option(help: "Folder to write the files into (created if missing).") var out: String

    func run() async throws {
        let journal = try JournalAccess.open(options.path)
        guard let message = try await journal.find(idOrMessageID: id).first else {
            FileHandle.standardError.write(Data("as2-agent: no message \(id)\n".utf8))
            throw ExitStatus.failure.exitCode
        }
        var files: [(String, Data)] = []
        switch message {
        case let .inbound(i):
            // The signed entity as received, after the message's AS2 headers (not signed, not part
            // of the entity): the captured form `as2-agent inspect` reads.
            let as2Headers = Data("AS2-From: \(i.as2From)\r\nAS2-To: \(i.as2To)\r\nMessage-ID: \(i.messageID)\r\n".utf8)
            if let entity = i.signedEntity {
                files.append(("\(i.id).signed.msg", as2Headers + entity))
            } else if let path = i.evidencePaths.first(where: { $0.hasSuffix(".signed-entity.mime") }),
                let entity = FileManager.default.contents(atPath: path)
            {
                files.append(("\(i.id).signed.msg", as2Headers + entity))
            }
            if let fingerprint = i.signerCertificateSHA256, let pem = try await journal.certificate(sha256: fingerprint) {
                files.append(("\(i.id).signer.pem", Data(pem.utf8)))
            }
            if let mdn = i.mdn {
                let head = mdn.headers.map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n"
                files.append(("\(i.id).mdn-sent", Data(head.utf8) + mdn.raw))
            }
        case let .outbound(o):
            // Stored as captured: headers, empty line, body.
            if let mdn = o.mdn { files.append(("\(o.id).mdn-received", mdn.raw)) }
        }
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data("as2-agent: message \(id) has no evidence (unsigned, or still in progress)\n".utf8))
            throw ExitStatus.failure.exitCode
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, data) in files {
            let path = (out as NSString).appendingPathComponent(name)
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o640)
            guard fd >= 0 else {
                FileHandle.standardError.write(Data("as2-agent: cannot create \(path): \(String(cString: strerror(errno)))\n".utf8))
                throw ExitStatus.failure.exitCode
            }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            try handle.write(contentsOf: data)
            try handle.close()
            print(path)
        }
    }
}
