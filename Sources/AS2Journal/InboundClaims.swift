/// The duplicate keys of the received messages being processed, each with its body digest and
/// the token of the claim that holds it (kept by `Journal` behind a mutex).
struct InboundClaims: Sendable {
    private var held: [InboundClaim.Key: (digest: String, token: UInt64)] = [:]
    private var lastToken: UInt64 = 0

    /// What `claim` found.
    enum Outcome {
        case claimed(token: UInt64)
        /// Another claim holds the key; its body digest.
        case held(digest: String)
    }

    /// Claims `key` unless another claim holds it.
    mutating func claim(_ key: InboundClaim.Key, digest: String) -> Outcome {
        if let other = held[key] { return .held(digest: other.digest) }
        lastToken += 1
        held[key] = (digest, lastToken)
        return .claimed(token: lastToken)
    }

    func holds(_ key: InboundClaim.Key, token: UInt64) -> Bool {
        held[key]?.token == token
    }

    /// Releases `key` if the claim `token` still holds it.
    mutating func release(_ key: InboundClaim.Key, token: UInt64) {
        if held[key]?.token == token { held[key] = nil }
    }
}
