import AS2Config
import AS2Crypto
import ArgumentParser
import Foundation

/// `as2-agent keys generate`: a new RSA key and self-signed certificate for our AS2 identity.
struct KeysGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate our private key (mode 0600) and a self-signed certificate.",
        discussion: """
            Writes <out>/<name>.key (PKCS#8 PEM, mode 0600, encrypted when --password-file is given) \
            and <out>/<name>.crt (PEM). The certificate's common name is the AS2 id; it is valid from \
            now for --days days, with key usage digitalSignature and keyEncipherment. Send the .crt \
            file to your partners (see `keys export`); the key never leaves this machine. Existing \
            files are kept unless --force.

            \(ExitStatus.helpText)
            """
    )

    @Option(name: .customLong("as2-id"), help: ArgumentHelp("Our AS2 id (the certificate's common name).", valueName: "id"))
    var as2ID: String

    @Option(name: .long, help: ArgumentHelp("Folder for the key and certificate (created if missing).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "RSA key size: 2048, 3072 or 4096.")
    var bits = 3072

    @Option(name: .long, help: "Days the certificate is valid.")
    var days = 730

    @Option(name: .long, help: ArgumentHelp("File name stem (default: derived from the AS2 id, e.g. acme).", valueName: "name"))
    var name: String?

    @Option(name: .long, help: ArgumentHelp("Organization (O) of the certificate subject.", valueName: "org"))
    var organization: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("Encrypt the key with the passphrase in this file.", valueName: "file"))
    var passwordFile: String?

    @Flag(name: .long, help: "Replace existing files.")
    var force = false

    func validate() throws {
        if let message = AS2NameSyntax.error(in: as2ID) { throw ValidationError("--as2-id: \(message)") }
        guard [2048, 3072, 4096].contains(bits) else { throw ValidationError("--bits must be 2048, 3072 or 4096") }
        guard (1...36_500).contains(days) else { throw ValidationError("--days must be between 1 and 36500") }
        if let name, let message = PartnerNameSyntax.error(in: name) {
            throw ValidationError("--name: \(message.replacingOccurrences(of: "a partner name", with: "a name"))")
        }
    }

    func run() throws {
        let stem = name ?? PartnerNameSyntax.suggestion(for: as2ID)
        let directory = ConfigurationLoader.resolvePath(explicit: out)
        let keyPath = directory + "/" + stem + ".key"
        let certificatePath = directory + "/" + stem + ".crt"
        let password = try PasswordFile.read(passwordFile)
        if !force {
            for path in [keyPath, certificatePath] where FileManager.default.fileExists(atPath: path) {
                throw CommandLineOutput.fail("\(path) exists; use --force to replace it")
            }
        }
        let key: PrivateKey
        let certificate: Certificate
        do {
            key = try KeyGenerator.generateRSA(bits: bits)
            certificate = try KeyGenerator.selfSignedCertificate(
                key: key, commonName: as2ID, organization: organization, validityDays: days)
        } catch {
            throw CommandLineOutput.fail("key generation failed: \(error)")
        }
        do {
            try FileOutput.createDirectory(directory)
            try FileOutput.write(Array(key.pem(password: password).utf8), to: keyPath, mode: 0o600, replace: force)
            try FileOutput.write(Array(certificate.pem.utf8), to: certificatePath, mode: 0o644, replace: force)
        } catch {
            throw CommandLineOutput.fail(error.description)
        }
        print("private key:  \(keyPath) (RSA \(bits), mode 0600\(password == nil ? "" : ", encrypted"))")
        print("certificate:  \(certificatePath)")
        print("  subject:    \(certificate.subject)")
        print("  valid:      \(KeysShowCommand.timestamp(certificate.notBefore)) – \(KeysShowCommand.timestamp(certificate.notAfter))")
        print("  SHA-256:    \(certificate.sha256Fingerprint)")
    }
}
