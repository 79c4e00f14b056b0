import AS2Config
import AS2Crypto
import ArgumentParser
import Foundation

/// `as2-agent keys csr`: a PKCS#10 request for a CA-issued certificate of our key.
struct KeysCSRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csr",
        abstract: "Make a certificate signing request (PKCS#10 PEM) for our key.",
        discussion: """
            For partners who require a CA-issued AS2 certificate: send the request to the CA and \
            configure the certificate it returns as [agent] certificate.

            \(ExitStatus.helpText)
            """
    )

    @Option(name: .long, help: ArgumentHelp("Our private key (PEM or DER).", valueName: "file"))
    var key: String

    @Option(name: .customLong("as2-id"), help: ArgumentHelp("Our AS2 id (the request's common name).", valueName: "id"))
    var as2ID: String

    @Option(name: .long, help: ArgumentHelp("Organization (O) of the subject.", valueName: "org"))
    var organization: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("Passphrase of an encrypted key.", valueName: "file"))
    var passwordFile: String?

    @Option(name: .long, help: ArgumentHelp("Write the request here instead of standard output.", valueName: "file"))
    var out: String?

    @Flag(name: .long, help: "Replace an existing --out file.")
    var force = false

    func validate() throws {
        if let message = AS2NameSyntax.error(in: as2ID) { throw ValidationError("--as2-id: \(message)") }
    }

    func run() throws {
        let password = try PasswordFile.read(passwordFile)
        let privateKey: PrivateKey
        do {
            privateKey = try PrivateKey.load(fromFile: key, password: password)
        } catch let error as CryptoError where error.code == .wrongPassword {
            throw CommandLineOutput.fail(
                password == nil ? "\(key) is encrypted: give its passphrase with --password-file" : "wrong passphrase for \(key)")
        } catch {
            throw CommandLineOutput.fail("cannot load private key \(key): \(error)")
        }
        let request: String
        do {
            request = try KeyGenerator.certificateSigningRequest(key: privateKey, commonName: as2ID, organization: organization)
        } catch {
            throw CommandLineOutput.fail("cannot make the request: \(error)")
        }
        guard let out else {
            print(request, terminator: request.hasSuffix("\n") ? "" : "\n")
            return
        }
        do {
            try FileOutput.write(Array(request.utf8), to: out, mode: 0o644, replace: force)
        } catch {
            throw CommandLineOutput.fail(error.description)
        }
        print("certificate request: \(out)")
    }
}
