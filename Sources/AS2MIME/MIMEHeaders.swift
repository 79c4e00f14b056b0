/// The header fields of a MIME entity (or an HTTP request) in received order. Lookups ignore the
/// case of names; values keep theirs.
public struct MIMEHeaders: Sendable, Sequence, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [MIMEHeaderField]

    public init() { fields = [] }
    public init(_ fields: [MIMEHeaderField]) { self.fields = fields }
    public init(_ pairs: [(String, String)]) { fields = pairs.map { MIMEHeaderField(name: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// The value of the first field named `name` (case-insensitive), or nil.
    public subscript(_ name: String) -> String? { fields.first { $0.hasName(name) }?.value }

    /// The values of every field named `name`, in order.
    public func values(_ name: String) -> [String] { fields.filter { $0.hasName(name) }.map(\.value) }

    /// True when a field named `name` is present.
    public func contains(_ name: String) -> Bool { fields.contains { $0.hasName(name) } }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }
    public func makeIterator() -> IndexingIterator<[MIMEHeaderField]> { fields.makeIterator() }

    /// Appends a field (duplicates allowed).
    public mutating func add(_ name: String, _ value: String) {
        fields.append(MIMEHeaderField(name: name, value: value))
    }

    /// Replaces every field named `name` by one field with `value`, at the first one's position
    /// (or at the end).
    public mutating func set(_ name: String, _ value: String) {
        let field = MIMEHeaderField(name: name, value: value)
        if let i = fields.firstIndex(where: { $0.hasName(name) }) {
            fields[i] = field
            fields = fields.enumerated().filter { $0.offset == i || !$0.element.hasName(name) }.map(\.element)
        } else {
            fields.append(field)
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) { fields.removeAll { $0.hasName(name) } }

    /// `Name: value\r\n` for each field, in order, never folded; no trailing empty line.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        for f in fields {
            out.append(contentsOf: f.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: f.value.utf8)
            out.append(contentsOf: [13, 10])
        }
        return out
    }
}
