import Foundation

/// JSON conventions of every sidecar (docs/schemas/): snake_case keys, ISO-8601 UTC
/// timestamps, keys sorted and pretty-printed so files diff and grep well.
public enum SidecarCoding {
    /// The `"format"` value this version writes.
    public static let format = 1

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(value)
        data.append(0x0a)
        return data
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: data)
    }
}
