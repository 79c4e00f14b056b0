import AS2Bytes
import AS2Crypto
import AS2Protocol
import ArgumentParser
import Foundation

/// `as2-agent inspect`: what a captured AS2 message or MDN contains and whether it verifies.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode and verify a captured AS2 message or MDN; print a JSON verdict.",
        discussion: """
            FILE holds the HTTP headers (a request or status line first is fine), an empty line, then \
            the exact body — the form other AS2 tools log. Prints layers, algorithms, signature status \
            and signer fingerprint, MIC, payload size and sha256, filename, and the MDN disposition the \
            agent would return. By default a message is valid when every layer it has verifies; \
            --require-signature, --require-encryption, --min-sign and --min-encrypt apply a stricter policy.

            Exit status: 0 valid (an MDN: verified and positive), 1 invalid or untrusted, 2 a verified \
            MDN with a negative disposition.

            \(ExitStatus.helpText)
            """
    )

    @Argument(help: "The captured message or MDN.")
    var file: String

    @Option(name: .long, help: ArgumentHelp("Our private key (PEM/DER) to decrypt with; repeatable.", valueName: "path"))
    var key: [String] = []

    @Option(name: .long, help: ArgumentHelp("Our certificate matching each --key (same order); repeatable.", valueName: "path"))
    var cert: [String] = []

    @Option(name: .long, help: ArgumentHelp("A PKCS#12 file holding our key and certificate; repeatable.", valueName: "path"))
    var pkcs12: [String] = []

    @Option(name: .long, help: ArgumentHelp("File holding the password of --key / --pkcs12.", valueName: "path"))
    var keyPasswordFile: String?

    @Option(name: .long, help: ArgumentHelp("A partner certificate trusted to verify signatures; repeatable.", valueName: "path"))
    var partnerCert: [String] = []

    @Flag(name: .long, help: "Treat an unsigned message as invalid.")
    var requireSignature = false

    @Flag(name: .long, help: "Treat an unencrypted message as invalid.")
    var requireEncryption = false

    @Option(name: .long, help: ArgumentHelp("Weakest accepted signature digest (md5, sha1, sha224, sha256, sha384, sha512).", valueName: "digest"))
    var minSign: String?

    @Option(name: .long, help: ArgumentHelp("Weakest accepted encryption (3des, aes128-cbc, …, aes256-gcm).", valueName: "cipher"))
    var minEncrypt: String?

    @Option(name: .long, help: ArgumentHelp("Write the payload into this folder under its sanitized filename.", valueName: "dir"))
    var extract: String?

    func validate() throws {
        if key.count != cert.count { throw ValidationError("give one --cert for each --key (same order)") }
        if let minSign, DigestAlgorithm(rawValue: minSign) == nil { throw ValidationError("unknown --min-sign \(minSign)") }
        if let minEncrypt, ContentEncryptionAlgorithm(rawValue: minEncrypt) == nil { throw ValidationError("unknown --min-encrypt \(minEncrypt)") }
    }

    func run() throws {
        let password: String? = try keyPasswordFile.flatMap { try PasswordFile.read($0) }
        var identities: [Identity] = []
        var trusted: [Certificate] = []
        do {
            for (k, c) in zip(key, cert) {
                let certificates = try Certificate.load(fromFile: c)
                guard let first = certificates.first else { throw ValidationError("\(c) holds no certificate") }
                identities.append(try Identity(certificate: first, privateKey: try PrivateKey.load(fromFile: k, password: password), chain: []))
            }
            for p in pkcs12 { identities.append(try Identity.loadPKCS12(path: p, password: password)) }
            trusted = try partnerCert.flatMap { try Certificate.load(fromFile: $0) }
        } catch {
            FileHandle.standardError.write(Data("as2-agent inspect: \(error)\n".utf8))
            throw ExitStatus.usage.exitCode
        }
        var policy = InboundPolicy.permissive
        policy.requireSignature = requireSignature
        policy.requireEncryption = requireEncryption
        if let minSign { policy.minimumSignatureDigest = DigestAlgorithm(rawValue: minSign)! }
        if let minEncrypt { policy.minimumEncryption = ContentEncryptionAlgorithm(rawValue: minEncrypt)! }
        let work = NSTemporaryDirectory() + "as2-inspect-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let report: InspectionReport
        let verdict: MessageInspector.Verdict
        do {
            let captured = try CapturedMessage(source: try FileByteSource(path: file))
            if let extract { try FileSystem.createDirectory(extract) }
            (report, verdict) = MessageInspector.inspect(
                captured: captured, security: InboundSecurity(decryptionIdentities: identities, partnerCertificates: trusted),
                policy: policy, workDirectory: work, extractTo: extract
            )
        } catch {
            var r = InspectionReport(kind: "unknown")
            r.error = "\(error)"
            print(try CommandLineOutput.json(r))
            throw ExitStatus.failure.exitCode
        }
        print(try CommandLineOutput.json(report))
        if verdict != .valid { throw ExitCode(verdict.rawValue) }
    }
}
