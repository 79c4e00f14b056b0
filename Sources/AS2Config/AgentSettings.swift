/// `[agent]`: the local AS2 identity, where it keeps its folders and state, and how much it logs.
public struct AgentSettings: Sendable, Equatable {
    /// Our AS2 name (decoded form, RFC 4130 §6.2): AS2-From on what we send, AS2-To on what we accept.
    public var as2ID: String
    /// Root of the folder contract: `<spool_dir>/<partner>/{outbox,sent,failed,inbox}`.
    public var spoolDirectory: String
    /// Journal database and other agent state.
    public var stateDirectory: String
    /// Our signing key and certificate; also our current decryption key.
    public var identity: IdentitySource
    /// Older private keys still used to decrypt during a certificate rollover (requirements R-CERT-3).
    public var previousPrivateKeys: [String]
    /// Certificates of the previous keys; each previous key pairs with the certificate whose public
    /// key matches (certificates inside a previous key's own PEM file count too).
    public var previousCertificates: [String]
    /// Passphrase of the previous keys (`previous_private_key_password_file`, else the current key's).
    public var previousPrivateKeyPassword: Secret?
    public var logLevel: LogLevel

    public static let defaultSpoolDirectory = "/var/spool/as2-agent"
    public static let defaultStateDirectory = "/var/lib/as2-agent"

    public init(
        as2ID: String, identity: IdentitySource,
        spoolDirectory: String = AgentSettings.defaultSpoolDirectory,
        stateDirectory: String = AgentSettings.defaultStateDirectory,
        previousPrivateKeys: [String] = [], previousCertificates: [String] = [],
        previousPrivateKeyPassword: Secret? = nil, logLevel: LogLevel = .info
    ) {
        self.as2ID = as2ID
        self.identity = identity
        self.spoolDirectory = spoolDirectory
        self.stateDirectory = stateDirectory
        self.previousPrivateKeys = previousPrivateKeys
        self.previousCertificates = previousCertificates
        self.previousPrivateKeyPassword = previousPrivateKeyPassword
        self.logLevel = logLevel
    }
}
