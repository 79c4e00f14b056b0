import AS2Crypto
import ArgumentParser
import Foundation

/// `as2-agent keys export`: our public certificate, in the form a partner asks for.
struct KeysExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a certificate (never a key) as PEM or DER, to send to a partner.",
        discussion: """
            Reads certificates from a PEM or DER file (a PEM that also holds a private key is fine: \
            only certificates are written). PEM writes every certificate of the file; --der writes \
            the first.

            \(ExitStatus.helpText)
            """
    )

    @Option(name: .long, help: ArgumentHelp("Certificate file (PEM or DER).", valueName: "file"))
    var cert: String

    @Flag(name: .long, help: "Write DER (binary) instead of PEM.")
    var der = false

    @Option(name: .long, help: ArgumentHelp("Write here instead of standard output.", valueName: "file"))
    var out: String?

    @Flag(name: .long, help: "Replace an existing --out file.")
    var force = false

    func run() throws {
        let certificates: [Certificate]
        do {
            certificates = try Certificate.load(fromFile: cert)
        } catch {
            throw CommandLineOutput.fail("cannot read a certificate from \(cert): \(error)")
        }
        guard let first = certificates.first else { throw CommandLineOutput.fail("\(cert) holds no certificate") }
        if der, certificates.count > 1 {
            CommandLineOutput.printError("as2-agent: \(cert) holds \(certificates.count) certificates; exporting the first (\(first.subject))")
        }
        let bytes = der ? first.der : Array(certificates.map(\.pem).joined().utf8)
        guard let out else {
            CommandLineOutput.write(bytes)
            return
        }
        do {
            try FileOutput.write(bytes, to: out, mode: 0o644, replace: force)
        } catch {
            throw CommandLineOutput.fail(error.description)
        }
        print("exported \(der ? "DER" : "PEM") certificate \(first.subject) to \(out)")
    }
}
