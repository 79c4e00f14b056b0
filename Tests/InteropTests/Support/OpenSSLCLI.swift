import Foundation

/// `openssl cms` wrappers for checking our CMS output against OpenSSL's own command line, always
/// with `-binary` so no line ending is translated. Inputs and outputs are DER / raw bytes.
public enum OpenSSLCLI {
    /// Runs `openssl` with `arguments` and returns its exit status, stdout and stderr.
    public static func run(_ arguments: [String], stdin: Data? = nil) throws -> ProcessRunner.Outcome {
        try ProcessRunner.run(try InteropEnvironment.openssl(), arguments, stdin: stdin)
    }

    /// Detached SignedData (DER) over the exact bytes of `content`.
    /// `digest`: sha1 … sha512; `pss` signs with RSASSA-PSS; `includeCertificate: false` adds `-nocerts`.
    public static func sign(
        content: Data, signer: TestParty, digest: String = "sha256", pss: Bool = false,
        includeCertificate: Bool = true
    ) throws -> Data {
        try withFiles(content) { input, output in
            var args = [
                "cms", "-sign", "-binary", "-outform", "DER", "-md", digest, "-in", input, "-out", output,
                "-signer", signer.certPEM, "-inkey", signer.keyPEM,
            ]
            if pss { args += ["-keyopt", "rsa_padding_mode:pss"] }
            if !includeCertificate { args.append("-nocerts") }
            return args
        }
    }

    /// Verifies detached SignedData `signature` (DER) over `content`, trusting exactly `trusting`
    /// (a PEM certificate path, also used as the signer certificate). Status 0 means verified.
    public static func verify(content: Data, signature: Data, trusting: String) throws -> ProcessRunner.Outcome {
        let dir = try InteropEnvironment.makeTemporaryDirectory("as2-openssl")
        defer { try? FileManager.default.removeItem(at: dir) }
        let contentPath = dir.appendingPathComponent("content").path
        let sigPath = dir.appendingPathComponent("sig.der").path
        try content.write(to: URL(fileURLWithPath: contentPath))
        try signature.write(to: URL(fileURLWithPath: sigPath))
        return try run([
            "cms", "-verify", "-binary", "-inform", "DER", "-in", sigPath, "-content", contentPath,
            "-CAfile", trusting, "-certfile", trusting, "-purpose", "any", "-out", "/dev/null",
        ])
    }

    /// EnvelopedData (DER) of `content` for `recipient` (a PEM certificate path). `cipher` is an
    /// OpenSSL cipher name (aes-128-cbc, aes-256-cbc, des3, aes-256-gcm → AuthEnvelopedData);
    /// `oaep` uses RSAES-OAEP key transport.
    public static func encrypt(
        content: Data, recipient: String, cipher: String = "aes-256-cbc", oaep: Bool = false
    ) throws -> Data {
        try withFiles(content) { input, output in
            var args = [
                "cms", "-encrypt", "-binary", "-outform", "DER", "-\(cipher)", "-in", input, "-out", output,
                "-recip", recipient,
            ]
            if oaep { args += ["-keyopt", "rsa_padding_mode:oaep"] }
            return args
        }
    }

    /// Decrypts EnvelopedData or AuthEnvelopedData (DER) with `recipient`'s key and certificate.
    public static func decrypt(_ enveloped: Data, recipient: TestParty) throws -> Data {
        try withFiles(enveloped) { input, output in
            [
                "cms", "-decrypt", "-binary", "-inform", "DER", "-in", input, "-out", output,
                "-recip", recipient.certPEM, "-inkey", recipient.keyPEM,
            ]
        }
    }

    /// Like `decrypt`, but returns the outcome (status, plaintext on stdout, stderr) instead of throwing.
    public static func decryptOutcome(_ enveloped: Data, recipient: TestParty) throws -> ProcessRunner.Outcome {
        try run(
            ["cms", "-decrypt", "-binary", "-inform", "DER", "-recip", recipient.certPEM, "-inkey", recipient.keyPEM],
            stdin: enveloped)
    }

    /// Writes `input` to a temp file, runs the arguments `build(inputPath, outputPath)` returns,
    /// and returns the output file's bytes; a non-zero exit throws with openssl's stderr.
    private static func withFiles(_ input: Data, _ build: (String, String) -> [String]) throws -> Data {
        let dir = try InteropEnvironment.makeTemporaryDirectory("as2-openssl")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inPath = dir.appendingPathComponent("in").path
        let outPath = dir.appendingPathComponent("out").path
        try input.write(to: URL(fileURLWithPath: inPath))
        let args = build(inPath, outPath)
        let outcome = try run(args)
        guard outcome.succeeded else {
            throw InteropError.processFailed(
                command: "openssl " + args.prefix(2).joined(separator: " "), status: outcome.status,
                stderr: outcome.stderr)
        }
        return try Data(contentsOf: URL(fileURLWithPath: outPath))
    }
}
