import Foundation
internal import CAS2OpenSSL

/// A private key (ours): signs, and decrypts content-encryption keys.
///
/// `@unchecked Sendable`: an immutable owner of one `EVP_PKEY`; OpenSSL 3 allows a key to be used
/// from several threads at once (every operation creates its own context).
public final class PrivateKey: @unchecked Sendable, CustomStringConvertible {
    private let pkey: OpaquePointer

    /// Takes ownership of `pkey`.
    init(taking pkey: OpaquePointer) { self.pkey = pkey }

    deinit { EVP_PKEY_free(pkey) }

    /// Runs `body` with the `EVP_PKEY` pointer, keeping this owner alive for the call.
    func withPKey<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pkey) }
    }

    // MARK: Loading

    /// Loads a PEM (PKCS #1 or PKCS #8, encrypted or not) or DER (PKCS #1, PKCS #8, encrypted
    /// PKCS #8) private key. A wrong or missing password for an encrypted key is `.wrongPassword`.
    public static func load(fromFile path: String, password: String?) throws -> PrivateKey {
        let bytes = try readFile(path, limit: 1 << 20)
        return looksLikePEM(bytes) ? try load(pem: bytes, password: password) : try load(der: bytes, password: password)
    }

    /// Loads a PEM private key; see `load(fromFile:password:)`.
    public static func load(pem: [UInt8], password: String?) throws -> PrivateKey {
        OpenSSLErrorQueue.clear()
        let text = String(decoding: pem, as: UTF8.self)
        let encrypted = text.contains("ENCRYPTED")
        let bio = try MemoryBIO(pem)
        let key = bio.withBIO { bio in
            withOptionalCString(password) { pw in
                PEM_read_bio_PrivateKey(bio, nil, passwordCallback, pw)
            }
        }
        guard let key else {
            if encrypted {
                let queue = OpenSSLErrorQueue.drain()
                throw CryptoError(.wrongPassword, password == nil
                    ? "the private key is encrypted and no password was given"
                    : "wrong password for the encrypted private key (\(queue))")
            }
            throw CryptoError.openssl(.malformedInput, "not a PEM private key")
        }
        return PrivateKey(taking: key)
    }

    /// Loads a DER private key; see `load(fromFile:password:)`.
    public static func load(der: [UInt8], password: String?) throws -> PrivateKey {
        OpenSSLErrorQueue.clear()
        // An encrypted PKCS #8 structure (EncryptedPrivateKeyInfo) parses as X509_SIG.
        if let sig = DEREncoding.decode(der, { d2i_X509_SIG(nil, $0, $1) }) {
            defer { X509_SIG_free(sig) }
            guard let password else { throw CryptoError(.wrongPassword, "the private key is encrypted and no password was given") }
            let info = password.withCString { PKCS8_decrypt(sig, $0, Int32(strlen($0))) }
            guard let info else {
                throw CryptoError.openssl(.wrongPassword, "wrong password for the encrypted private key")
            }
            defer { PKCS8_PRIV_KEY_INFO_free(info) }
            guard let key = EVP_PKCS82PKEY(info) else { throw CryptoError.openssl(.malformedInput, "unreadable PKCS #8 key") }
            return PrivateKey(taking: key)
        }
        OpenSSLErrorQueue.clear()
        let bio = try MemoryBIO(der)
        guard let key = bio.withBIO({ d2i_PrivateKey_bio($0, nil) }) else {
            throw CryptoError.openssl(.malformedInput, "not a DER private key")
        }
        return PrivateKey(taking: key)
    }

    // MARK: Use

    /// True when `certificate` carries this key's public half.
    public func matches(_ certificate: Certificate) -> Bool {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        return withPKey { key in certificate.withX509 { X509_check_private_key($0, key) == 1 } }
    }

    /// PKCS #8 PEM; encrypted (PBES2, AES-256-CBC) when `password` is given.
    public func pem(password: String? = nil) -> String {
        OpenSSLErrorQueue.clear()
        guard let bio = try? MemoryBIO() else { return "" }
        let ok = bio.withBIO { bio in
            withPKey { key -> Int32 in
                if let password {
                    return password.withCString { pw in
                        PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), pw, Int32(strlen(pw)), nil, nil)
                    }
                }
                return PEM_write_bio_PKCS8PrivateKey(bio, key, nil, nil, 0, nil, nil)
            }
        }
        return ok == 1 ? bio.string : ""
    }

    /// Key size in bits.
    public var bits: Int { withPKey { Int(EVP_PKEY_get_bits($0)) } }

    /// Algorithm and size, e.g. "RSA 2048".
    public var description: String { withPKey { "\(keyTypeName($0)) \(EVP_PKEY_get_bits($0))" } }
}

/// PEM password callback: copies the NUL-terminated password passed as user data, and fails
/// (instead of prompting on a terminal, OpenSSL's default) when there is none.
private let passwordCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
    buffer, size, _, user in
    guard let buffer, let user else { return -1 }
    let password = user.assumingMemoryBound(to: CChar.self)
    let n = strlen(password)
    guard n <= Int(size) else { return -1 }
    memcpy(buffer, password, n)
    return Int32(n)
}

/// Runs `body` with `string` as a C string, or with nil.
func withOptionalCString<R>(_ string: String?, _ body: (UnsafeMutableRawPointer?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body(UnsafeMutableRawPointer(mutating: $0)) }
}
