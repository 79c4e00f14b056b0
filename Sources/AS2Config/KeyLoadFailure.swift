/// Why a private key (or PKCS#12 file) did not open.
enum KeyLoadFailure: Error, Sendable, Equatable {
    /// The password is wrong, or the key is encrypted and no password was given.
    case wrongPassword
    /// Not a readable key file; the message says why.
    case unusable(String)
}
