import AS2Crypto
import ArgumentParser
import Foundation

/// `as2-agent keys show`: what a certificate, key or PKCS#12 file holds.
struct KeysShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show certificates (subject, issuer, validity, SHA-256 fingerprint, key usage) and keys in a file.",
        discussion: """
            Reads PEM (certificates and/or a private key), DER, or PKCS#12 (.p12/.pfx). Compare the \
            SHA-256 fingerprint with the one your partner tells you over another channel before you \
            trust a certificate.

            \(ExitStatus.helpText)
            """
    )

    @Argument(help: ArgumentHelp("Certificate, key or PKCS#12 file.", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(name: .customLong("password-file"), help: ArgumentHelp("Passphrase of an encrypted key or PKCS#12 file.", valueName: "file"))
    var passwordFile: String?

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw CommandLineOutput.fail("cannot read \(file)")
        }
        let password = try PasswordFile.read(passwordFile)
        let contents = try Self.load(file, password: password)
        guard !contents.certificates.isEmpty || contents.key != nil || contents.keyNote != nil else {
            throw CommandLineOutput.fail("\(file) holds no certificate or private key")
        }
        let now = Date()
        let certificates = contents.certificates.map { KeysShowJSON.Certificate($0, now: now) }
        let key = contents.key.map { key in
            KeysShowJSON.Key(
                type: key.description, bits: key.bits,
                matchesCertificate: contents.certificates.isEmpty ? nil : contents.certificates.contains { key.matches($0) })
        }
        if json {
            print(try CommandLineOutput.json(KeysShowJSON(file: file, certificates: certificates, privateKey: key, note: contents.keyNote)))
            return
        }
        for (index, certificate) in certificates.enumerated() {
            if certificates.count > 1 { print("certificate \(index + 1) of \(certificates.count):") }
            print(certificate.text(now: now))
        }
        if let key {
            var line = "private key:    \(key.type)"
            if let matches = key.matchesCertificate { line += matches ? " (matches the certificate)" : " (does NOT match the certificate)" }
            print(line)
        }
        if let note = contents.keyNote { print("private key:    \(note)") }
    }

    /// Certificates and key of a file; PKCS#12 by extension or when nothing else parses.
    static func load(_ file: String, password: String?) throws -> (certificates: [Certificate], key: PrivateKey?, keyNote: String?) {
        let lower = file.lowercased()
        if lower.hasSuffix(".p12") || lower.hasSuffix(".pfx") {
            do {
                let identity = try Identity.loadPKCS12(path: file, password: password)
                return ([identity.certificate] + identity.chain, identity.privateKey, nil)
            } catch let error as CryptoError where error.code == .wrongPassword {
                throw CommandLineOutput.fail(
                    password == nil ? "\(file) is protected: give its password with --password-file" : "wrong password for \(file)")
            } catch {
                throw CommandLineOutput.fail("cannot read PKCS#12 file \(file): \(error)")
            }
        }
        let certificates = (try? Certificate.load(fromFile: file)) ?? []
        do {
            return (certificates, try PrivateKey.load(fromFile: file, password: password), nil)
        } catch let error as CryptoError where error.code == .wrongPassword {
            let note = password == nil ? "encrypted (give --password-file to check it)" : "encrypted; the password does not open it"
            return (certificates, nil, note)
        } catch {
            return (certificates, nil, nil)
        }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
