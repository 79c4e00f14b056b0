import AS2Crypto

/// The harness's generated key files loaded through AS2Crypto, so that our side and the peers
/// (pyas2lib, openssl) use the very same keys.
extension TestParty {
    /// The certificate, as AS2Crypto reads `certPEM`.
    public func certificate() throws -> Certificate {
        guard let certificate = try Certificate.load(fromFile: certPEM).first else {
            throw InteropError.invalidArgument("no certificate in \(certPEM)")
        }
        return certificate
    }

    /// Key and certificate as an AS2Crypto identity (signing, decryption).
    public func identity() throws -> Identity {
        try Identity(certificate: try certificate(), privateKey: try PrivateKey.load(fromFile: keyPEM, password: nil))
    }
}
