import AS2Bytes
import AS2Crypto
import ArgumentParser

/// `as2-bench keys`: fresh RSA-2048 keys and self-signed certificates for the sender and the
/// receiver, as PEM files that both as2-bench and the pyas2lib side load.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate the sender's and receiver's keys and certificates (PEM).")

    @Option(help: "Folder to write sender.{key,cert}.pem and receiver.{key,cert}.pem to.")
    var directory: String

    @Option(help: "RSA key size in bits.")
    var bits: Int = 2048

    func run() throws {
        try FileSystem.createDirectory(directory, mode: 0o700)
        for (role, name) in [("sender", BenchParties.senderName), ("receiver", BenchParties.receiverName)] {
            let key = try KeyGenerator.generateRSA(bits: bits)
            let certificate = try KeyGenerator.selfSignedCertificate(key: key, commonName: name, organization: "as2-bench", validityDays: 30)
            try AtomicFile.write(Array(key.pem().utf8), to: BenchParties.keyPath(directory, role), mode: 0o600, sync: false)
            try AtomicFile.write(Array(certificate.pem.utf8), to: BenchParties.certificatePath(directory, role), mode: 0o644, sync: false)
        }
    }
}
