import Foundation

/// One `[[partner]]` block: who the partner is, its certificates, and the policies for what we
/// send to it and accept from it.
public struct PartnerConfiguration: Sendable, Equatable {
    /// Short name; the partner's folder under spool_dir (`[a-z0-9][a-z0-9._-]*`).
    public var name: String
    /// The partner's AS2 name (decoded form).
    public var as2ID: String
    /// The partner's AS2 endpoint.
    public var url: URL
    /// Their certificate: verifies their signatures and, without `encryptCertificate`, encrypts to them.
    public var certificate: String?
    /// Extra signature certificates (rollover, requirements R-CERT-3).
    public var verifyCertificates: [String]
    /// A separate encryption certificate, when they use one.
    public var encryptCertificate: String?
    public var outbound: OutboundPolicy
    public var inbound: PartnerInboundPolicy
    public var transport: TransportSettings
    public var retry: RetryPolicy
    /// Messages sent to this partner in parallel.
    public var sendConcurrency: Int
    public var interop: InteropSwitches

    public init(
        name: String, as2ID: String, url: URL, certificate: String? = nil, verifyCertificates: [String] = [],
        encryptCertificate: String? = nil, outbound: OutboundPolicy = .default, inbound: PartnerInboundPolicy = .default,
        transport: TransportSettings = .default, retry: RetryPolicy = .default,
        sendConcurrency: Int = FolderSettings.default.sendConcurrency, interop: InteropSwitches = .default
    ) {
        self.name = name
        self.as2ID = as2ID
        self.url = url
        self.certificate = certificate
        self.verifyCertificates = verifyCertificates
        self.encryptCertificate = encryptCertificate
        self.outbound = outbound
        self.inbound = inbound
        self.transport = transport
        self.retry = retry
        self.sendConcurrency = sendConcurrency
        self.interop = interop
    }

    /// Certificates their signatures (on messages and MDNs) are verified against, in order.
    public var signatureCertificates: [String] {
        (certificate.map { [$0] } ?? []) + verifyCertificates
    }

    /// The certificate we encrypt to: `encryptCertificate`, else `certificate`.
    public var encryptionCertificate: String? { encryptCertificate ?? certificate }

    /// Whether an AS2-From/AS2-To value (decoded) names this partner (requirements R-ID-4).
    public func matches(as2ID other: String) -> Bool {
        interop.caseInsensitiveAS2ID ? as2ID.lowercased() == other.lowercased() : as2ID == other
    }

    /// Whether we may POST an asynchronous MDN for this partner's message to `returnURL`: same
    /// scheme, host and port as `url`, or listed in `inbound.asyncMDNReturnURLs` (DESIGN.md §6).
    public func allowsAsyncMDN(to returnURL: URL) -> Bool {
        func origin(_ u: URL) -> String? {
            guard let scheme = u.scheme?.lowercased(), let host = u.host?.lowercased() else { return nil }
            let port = u.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
            return "\(scheme)://\(host):\(port)"
        }
        if let o = origin(returnURL), o == origin(url) { return true }
        return inbound.asyncMDNReturnURLs.contains { allowed in
            allowed.absoluteString == returnURL.absoluteString
        }
    }

    /// `<spoolDirectory>/<name>`: the partner's folder tree.
    public func folder(in spoolDirectory: String) -> String {
        (spoolDirectory.hasSuffix("/") ? spoolDirectory : spoolDirectory + "/") + name
    }
}
