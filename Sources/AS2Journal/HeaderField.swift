/// One HTTP header field, kept in order and with duplicates, as sent or received.
public struct HeaderField: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
