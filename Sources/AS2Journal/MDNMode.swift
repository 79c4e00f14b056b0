/// How an MDN travels: on the HTTP response (sync) or in a separate POST (async) [RFC 4130 §7.2].
public enum MDNMode: String, Codable, Sendable, CaseIterable {
    case sync
    case async
}
