import Foundation
internal import CAS2OpenSSL

/// One of our identities: a certificate, its private key, and the chain certificates to send
/// with signatures. Used to sign and to decrypt.
public struct Identity: Sendable {
    public let certificate: Certificate
    public let privateKey: PrivateKey
    /// Intermediate (and optionally root) certificates, issuer of `certificate` first.
    public let chain: [Certificate]

    /// Pairs a certificate with its key; throws `.keyCertificateMismatch` when they do not belong together.
    public init(certificate: Certificate, privateKey: PrivateKey, chain: [Certificate] = []) throws {
        guard privateKey.matches(certificate) else {
            throw CryptoError(.keyCertificateMismatch, "the private key does not belong to certificate \(certificate.subject)")
        }
        self.certificate = certificate
        self.privateKey = privateKey
        self.chain = chain
    }

    /// Loads a PKCS #12 (.p12/.pfx) file holding one key, its certificate and optionally a chain.
    /// A wrong or missing password is `.wrongPassword`.
    public static func loadPKCS12(path: String, password: String?) throws -> Identity {
        try loadPKCS12(der: readFile(path, limit: 16 << 20), password: password)
    }

    /// Loads PKCS #12 bytes; see `loadPKCS12(path:password:)`.
    public static func loadPKCS12(der: [UInt8], password: String?) throws -> Identity {
        OpenSSLErrorQueue.clear()
        guard let p12 = DEREncoding.decode(der, { d2i_PKCS12(nil, $0, $1) }) else {
            throw CryptoError.openssl(.malformedInput, "not a PKCS #12 file")
        }
        defer { PKCS12_free(p12) }
        // A missing password may mean "empty" or "none" depending on the tool that wrote the file.
        let candidates: [String?] = password.map { [$0] } ?? [nil, ""]
        let hasMAC = PKCS12_mac_present(p12) == 1
        guard let pass = hasMAC
            ? candidates.first(where: { pw in withOptionalPassword(pw) { PKCS12_verify_mac(p12, $0, $1) == 1 } })
            : candidates.first
        else {
            OpenSSLErrorQueue.clear()
            throw CryptoError(.wrongPassword, password == nil ? "the PKCS #12 file needs a password" : "wrong password for the PKCS #12 file")
        }
        var key: OpaquePointer?
        var cert: OpaquePointer?
        var ca: OpaquePointer?
        var ok = withOptionalPassword(pass) { pw, _ in PKCS12_parse(p12, pw, &key, &cert, &ca) }
        if ok != 1 && LegacyProvider.isLoaded {
            // Files from Windows and Java often protect certificates with RC2-40 (legacy provider).
            OpenSSLErrorQueue.clear()
            ok = withOptionalPassword(pass) { pw, _ in PKCS12_parse(p12, pw, &key, &cert, &ca) }
        }
        guard ok == 1 else {
            throw CryptoError.openssl(hasMAC ? .malformedInput : .wrongPassword, "unreadable PKCS #12 content")
        }
        let privateKey = key.map { PrivateKey(taking: $0) }
        let certificate = try cert.map { try Certificate(taking: $0) }
        var chain: [Certificate] = []
        if let ca {
            for i in 0..<as2_sk_X509_num(ca) {
                if let x = as2_sk_X509_value(ca, i) { chain.append(try Certificate(borrowing: x)) }
            }
            as2_sk_X509_pop_free(ca)
        }
        guard let privateKey, let certificate else {
            throw CryptoError(.malformedInput, "the PKCS #12 file has no private key with a matching certificate")
        }
        return try Identity(certificate: certificate, privateKey: privateKey, chain: chain)
    }

    /// Exports this identity as PKCS #12 (AES-256-CBC, PBKDF2, SHA-256 MAC: OpenSSL 3 defaults).
    public func pkcs12(password: String, friendlyName: String? = nil) throws -> [UInt8] {
        OpenSSLErrorQueue.clear()
        guard let stack = as2_sk_X509_new_null() else { throw CryptoError.openssl("sk_X509_new_null failed") }
        defer { as2_sk_X509_free(stack) }
        for c in chain { _ = c.withX509 { as2_sk_X509_push(stack, $0) } }
        let p12 = withExtendedLifetime(chain) {
            privateKey.withPKey { key in
                certificate.withX509 { cert in
                    password.withCString { pw in
                        withOptionalCString(friendlyName) { name in
                            PKCS12_create(pw, name?.assumingMemoryBound(to: CChar.self), key, cert, stack, 0, 0, 0, 0, 0)
                        }
                    }
                }
            }
        }
        guard let p12 else { throw CryptoError.openssl("PKCS12_create failed") }
        defer { PKCS12_free(p12) }
        return try DEREncoding.encode("PKCS #12") { i2d_PKCS12(p12, $0) }
    }
}

/// Runs `body` with a password as (C string or nil, length).
private func withOptionalPassword<R>(_ password: String?, _ body: (UnsafePointer<CChar>?, Int32) -> R) -> R {
    guard let password else { return body(nil, 0) }
    return password.withCString { body($0, Int32(strlen($0))) }
}
