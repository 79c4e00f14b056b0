/// Where our signing and decryption key and its certificate come from: a PEM/DER certificate and
/// private key (`certificate`, `private_key`), or one PKCS#12 file (`pkcs12`). Paths are absolute.
public enum IdentitySource: Sendable, Equatable {
    case pem(certificate: String, privateKey: String, password: Secret?)
    case pkcs12(path: String, password: Secret?)

    /// Files this identity reads, for messages and file checks.
    public var files: [String] {
        switch self {
        case .pem(let certificate, let privateKey, _): return [certificate, privateKey]
        case .pkcs12(let path, _): return [path]
        }
    }
}
