/// What an inbound message delivered into `inbox/`: the files written and the document digest.
public struct DeliveredDocument: Sendable, Hashable {
    /// Paths written (document first, then its sidecars).
    public var paths: [String]
    /// SHA-256 of the delivered document, lowercase hex.
    public var sha256: String
    public var size: Int64

    public init(paths: [String], sha256: String, size: Int64) {
        self.paths = paths
        self.sha256 = sha256
        self.size = size
    }
}
