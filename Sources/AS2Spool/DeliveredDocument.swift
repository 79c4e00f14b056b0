/// A document that reached a user-facing folder, with its sidecars beside it.
public struct DeliveredDocument: Sendable, Hashable {
    public enum Destination: String, Sendable, Hashable { case inbox, sent, failed }

    public let destination: Destination
    /// The final name (the requested one, or with a `-N` collision suffix).
    public let name: String
    public let path: String
    /// `<name>.mdn.json` or `<name>.error.json`.
    public let sidecarPath: String
    /// `<name>.mdn`, when a raw receipt was kept.
    public let rawMDNPath: String?
}
