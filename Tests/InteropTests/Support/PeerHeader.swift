/// A header override for the peers: encoded as `[name, value]`; a nil value removes the header.
public struct PeerHeader: Encodable, Sendable, ExpressibleByDictionaryLiteral {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value
    }

    /// `["Name": "value"]` literal for a single override.
    public init(dictionaryLiteral elements: (String, String?)...) {
        precondition(elements.count == 1, "one header per PeerHeader literal")
        self.init(elements[0].0, elements[0].1)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(name)
        if let value { try c.encode(value) } else { try c.encodeNil() }
    }
}
