import Foundation
import XCTest

/// Certificates made with the `openssl` CLI in a temporary folder, once per test run: a CA, a second
/// unrelated CA, a server certificate for localhost/127.0.0.1, one for another host name, and a
/// client certificate. Nothing is committed.
final class TestCertificates: Sendable {
    let directory: String

    var caPEM: String { directory + "/ca.pem" }
    var otherCAPEM: String { directory + "/other-ca.pem" }
    var serverPEM: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var serverEncryptedKey: String { directory + "/server-encrypted.key" }
    var wrongHostPEM: String { directory + "/wronghost.pem" }
    var wrongHostKey: String { directory + "/wronghost.key" }
    var clientPEM: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client.key" }
    var otherClientPEM: String { directory + "/otherclient.pem" }
    var otherClientKey: String { directory + "/otherclient.key" }
    static let keyPassword = "s3cret-pass"

    func der(_ pemPath: String) throws -> [UInt8] {
        let out = pemPath + ".der"
        try Self.openssl(["x509", "-in", pemPath, "-outform", "DER", "-out", out])
        return Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    static let shared: Result<TestCertificates, Error> = Result { try TestCertificates() }

    static func get() throws -> TestCertificates { try shared.get() }

    private init() throws {
        directory = NSTemporaryDirectory() + "as2http-certs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try makeCA("ca", subject: "/CN=AS2HTTP Test CA")
        try makeCA("other-ca", subject: "/CN=Unrelated Test CA")
        try makeLeaf("server", ca: "ca", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth")
        try makeLeaf("wronghost", ca: "ca", subject: "/CN=other.example", extensions: "subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth")
        try makeLeaf("client", ca: "ca", subject: "/CN=partner-client", extensions: "extendedKeyUsage=clientAuth")
        try makeLeaf("otherclient", ca: "other-ca", subject: "/CN=stranger", extensions: "extendedKeyUsage=clientAuth")
        try Self.openssl([
            "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", serverKey, "-out", serverEncryptedKey,
            "-passout", "pass:\(Self.keyPassword)",
        ])
    }

    private func makeCA(_ name: String, subject: String) throws {
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem", "-days", "2", "-subj", subject,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    private func makeLeaf(_ name: String, ca: String, subject: String, extensions: String) throws {
        let ext = "\(directory)/\(name).ext"
        try ("basicConstraints=CA:FALSE\n" + extensions + "\n").write(toFile: ext, atomically: true, encoding: .utf8)
        try Self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr", "-subj", subject,
        ])
        try Self.openssl([
            "x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/\(ca).pem",
            "-CAkey", "\(directory)/\(ca).key", "-CAcreateserial", "-out", "\(directory)/\(name).pem",
            "-days", "2", "-extfile", ext,
        ])
    }

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(process.terminationStatus), userInfo: [
                NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")): \(String(decoding: message, as: UTF8.self))"
            ])
        }
    }
}
