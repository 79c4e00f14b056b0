import AS2Config
import AS2Crypto
import AS2HTTP
import AS2Protocol
import AS2Spool
import Foundation

/// One trading partner with its configuration turned into what the services use: loaded
/// certificates, folders, the unpacker's policy, and the HTTP client's TLS settings.
public struct PartnerRuntime: Sendable {
    public let configuration: PartnerConfiguration
    public let as2ID: AS2Name
    public let folders: PartnerFolders
    /// Certificates that verify their signatures (current + rollover).
    public let verifyCertificates: [Certificate]
    /// Certificate we encrypt to.
    public let encryptionCertificate: Certificate?
    public let inboundPolicy: AS2Protocol.InboundPolicy
    public let tls: TLSClientSettings
    /// DER of the client certificate this partner must present on inbound HTTPS, if configured.
    public let inboundClientCertificateDER: [UInt8]?

    public var name: String { configuration.name }

    /// Loads the partner's certificate files through `certificates`, so partners naming the same
    /// file share one parsed `Certificate`.
    public static func load(
        _ c: PartnerConfiguration, spoolDirectory: String, certificates: CertificateFileCache = CertificateFileCache()
    ) throws -> PartnerRuntime {
        let verify = try c.signatureCertificates.flatMap { try certificates.certificates(inFile: $0) }
        let encryption = try c.encryptionCertificate.flatMap { try certificates.certificates(inFile: $0).first }
        let policy = AS2Protocol.InboundPolicy(
            requireSignature: c.inbound.requireSignature,
            requireEncryption: c.inbound.requireEncryption,
            minimumSignatureDigest: c.inbound.minimumSignDigest,
            minimumEncryption: c.inbound.minimumEncryption,
            allowExpiredCertificate: c.inbound.allowExpiredCertificate,
            maxDecompressedBytes: c.inbound.maxDecompressedSize,
            maxCompressionRatio: c.inbound.maxCompressionRatio,
            defaultContentType: c.outbound.contentType
        )
        let pinned = try c.transport.tlsPinnedCertificate.flatMap { try certificates.certificates(inFile: $0).first?.der }
        let tls = TLSClientSettings(
            trustRootsPEMFile: c.transport.tlsCAFile,
            pinnedCertificateDER: pinned,
            verifyHostname: c.transport.tlsVerifyHostname,
            clientCertificatePEMFile: c.transport.tlsClientCertificate,
            clientKeyPEMFile: c.transport.tlsClientPrivateKey,
            clientKeyPassword: c.transport.tlsClientPrivateKeyPassword?.value
        )
        let clientCert = try c.inbound.tlsClientCertificate.flatMap { try certificates.certificates(inFile: $0).first?.der }
        return PartnerRuntime(
            configuration: c, as2ID: try AS2Name(c.as2ID),
            folders: try PartnerFolders(spoolRoot: spoolDirectory, partner: c.name),
            verifyCertificates: verify, encryptionCertificate: encryption, inboundPolicy: policy, tls: tls,
            inboundClientCertificateDER: clientCert
        )
    }

    /// Whether an async MDN may be POSTed to `url` (R-ASYNC-4): same scheme, host and port as the
    /// partner's URL, or one of its explicitly allowed return URLs.
    public func allowsAsyncMDN(to url: String) -> Bool {
        guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https" else { return false }
        return configuration.allowsAsyncMDN(to: u)
    }
}
