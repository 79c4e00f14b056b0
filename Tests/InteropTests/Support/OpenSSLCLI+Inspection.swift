import Foundation

extension OpenSSLCLI {
    /// `openssl cms -cmsout -print` of a DER CMS structure: OpenSSL's own reading of its content
    /// type, algorithms and recipients, as text.
    public static func printCMS(_ der: Data) throws -> String {
        let outcome = try run(["cms", "-cmsout", "-print", "-inform", "DER"], stdin: der)
        guard outcome.succeeded else {
            throw InteropError.processFailed(command: "openssl cms -cmsout -print", status: outcome.status, stderr: outcome.stderr)
        }
        return String(decoding: outcome.stdout, as: UTF8.self)
    }

    /// The certificate's SHA-256 fingerprint as `openssl x509 -fingerprint` prints it (hex pairs
    /// separated by colons, upper case).
    public static func sha256Fingerprint(certificatePEM path: String) throws -> String {
        let outcome = try run(["x509", "-noout", "-fingerprint", "-sha256", "-in", path])
        guard outcome.succeeded, let line = String(data: outcome.stdout, encoding: .utf8),
            let equals = line.firstIndex(of: "=")
        else {
            throw InteropError.processFailed(command: "openssl x509 -fingerprint", status: outcome.status, stderr: outcome.stderr)
        }
        return line[line.index(after: equals)...].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `algorithm` (sha1 … sha512) digest of `data` by the openssl CLI, base64: an independent
    /// check of our digests.
    public static func digestBase64(_ data: Data, algorithm: String) throws -> String {
        let outcome = try run(["dgst", "-\(algorithm)", "-binary"], stdin: data)
        guard outcome.succeeded else { throw InteropError.processFailed(command: "openssl dgst", status: outcome.status, stderr: outcome.stderr) }
        return outcome.stdout.base64EncodedString()
    }
}
