import Foundation

/// One trading party's generated key material: paths of files made by `TestPKI`.
public struct TestParty: Sendable, Equatable {
    /// The name it was generated for; also its certificate's CN and a handy AS2 id.
    public let name: String
    /// Unencrypted PKCS#8 RSA private key, PEM.
    public let keyPEM: String
    /// Self-signed X.509 certificate, PEM.
    public let certPEM: String
    /// The same certificate, DER.
    public let certDER: String
    /// Key + certificate as PKCS#12, protected by `p12Password`.
    public let p12: String
    public let p12Password: String
    /// The same key, PEM encrypted with `encryptedKeyPassword` (AES-256-CBC).
    public let encryptedKeyPEM: String
    public let encryptedKeyPassword: String
    /// Folder holding all of the above.
    public let directory: String
}
