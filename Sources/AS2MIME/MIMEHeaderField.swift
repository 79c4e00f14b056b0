/// One header field: its name as received and its value unfolded (each line fold and the
/// whitespace around it became one space, RFC 9112 §5.2) and trimmed.
public struct MIMEHeaderField: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// True when this field's name equals `other`, ignoring ASCII case (RFC 9110 §5.1).
    public func hasName(_ other: String) -> Bool { ASCII.caseInsensitiveEquals(name, other) }

    public var description: String { "\(name): \(value)" }
}
