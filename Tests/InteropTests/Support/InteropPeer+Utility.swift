extension InteropPeer {
    /// The peer's versions.
    public struct PingResult: Decodable, Sendable {
        public let pyas2lib: String
        public let python: String
        public let pid: Int
    }

    /// Starts the peer if needed and checks that it answers.
    public func ping(timeout: Duration? = nil) async throws -> PingResult {
        try await call("ping", Empty(), timeout: timeout)
    }

    /// Decompresses a DER CMS CompressedData file (`entity: true`: a MIME entity holding one)
    /// into `out`; returns the decompressed size.
    public func decompress(input: String, out: String, entity: Bool = false, timeout: Duration? = nil) async throws -> Int {
        let result: SizeResult = try await call("decompress", DecompressRequest(input: input, out: out, entity: entity), timeout: timeout)
        return result.size
    }

    /// Drops the messages the peer keeps for `parseMDN` (all, or the listed ids); returns how many.
    @discardableResult
    public func forget(messageIDs: [String]? = nil) async throws -> Int {
        let result: ForgetResult = try await call("forget", ForgetRequest(messageIDs: messageIDs))
        return result.forgotten
    }

    private struct Empty: Encodable, Sendable {}

    private struct DecompressRequest: Encodable, Sendable {
        let input: String
        let out: String
        let entity: Bool
        enum CodingKeys: String, CodingKey { case input = "in", out, entity }
    }

    private struct SizeResult: Decodable { let size: Int }

    private struct ForgetRequest: Encodable, Sendable {
        let messageIDs: [String]?
        enum CodingKeys: String, CodingKey { case messageIDs = "message_ids" }
    }

    private struct ForgetResult: Decodable { let forgotten: Int }
}
