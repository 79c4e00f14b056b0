/// The JSON text columns of an inbound row written by hand, byte for byte as GRDB's
/// `databaseJSONEncoder` (Foundation's JSONEncoder, sorted keys) writes them: three JSONEncoder
/// runs were a tenth of the journal's CPU per received message. Read back with the Codable decoder.
enum JournalJSON {
    /// `["a","b"]`.
    static func strings(_ values: [String]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            appendString(value, to: &out)
        }
        return out + "]"
    }

    /// `[{"name":"…","value":"…"}]`, keys sorted as JSONEncoder's `.sortedKeys` sorts them.
    static func headers(_ fields: [HeaderField]) -> String {
        var out = "["
        for (index, field) in fields.enumerated() {
            if index > 0 { out += "," }
            out += "{\"name\":"
            appendString(field.name, to: &out)
            out += ",\"value\":"
            appendString(field.value, to: &out)
            out += "}"
        }
        return out + "]"
    }

    /// A JSON string with JSONEncoder's escapes (`\/` included; other controls as `\u00xx`).
    static func appendString(_ value: String, to out: inout String) {
        out += "\""
        var plainStart = value.utf8.startIndex
        let utf8 = value.utf8
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            let escape: String?
            switch byte {
            case UInt8(ascii: "\""): escape = "\\\""
            case UInt8(ascii: "\\"): escape = "\\\\"
            case UInt8(ascii: "/"): escape = "\\/"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0x00..<0x20: escape = controlEscape(byte)
            default: escape = nil
            }
            if let escape {
                out += value[plainStart..<index]
                out += escape
                plainStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        out += value[plainStart..<utf8.endIndex]
        out += "\""
    }

    private static func controlEscape(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return "\\u00" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }
}
