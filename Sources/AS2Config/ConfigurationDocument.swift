import Foundation
import TOMLKit

/// agent.conf parsed: the TOML tree as `ConfigurationValue`s plus the source positions of its
/// tables and keys. A syntax error becomes a problem with the parser's line and column.
struct ConfigurationDocument: Sendable {
    let root: [String: ConfigurationValue]
    let locator: TOMLSourceLocator

    /// Parses TOML text; throws the syntax problem.
    static func parse(_ text: String) throws(ConfigurationProblemList) -> ConfigurationDocument {
        if let nul = text.firstIndex(of: "\0") {
            let line = text[..<nul].filter { $0 == "\n" }.count + 1
            throw ConfigurationProblemList([
                ConfigurationProblem(
                    severity: .error, code: .syntax, keyPath: "", line: line,
                    message: "the file contains a NUL character")
            ])
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationProblemList([
                ConfigurationProblem(
                    severity: .error, code: .syntax, keyPath: "", line: error.source.begin.line,
                    column: error.source.begin.column, message: "TOML syntax: \(error.description)")
            ])
        } catch {
            throw ConfigurationProblemList([
                ConfigurationProblem(severity: .error, code: .syntax, keyPath: "", message: "TOML syntax: \(error)")
            ])
        }
        return ConfigurationDocument(root: convert(table), locator: TOMLSourceLocator(text: text))
    }

    private static func convert(_ table: TOMLTable) -> [String: ConfigurationValue] {
        var result: [String: ConfigurationValue] = [:]
        for (key, value) in table {
            result[key] = convert(value)
        }
        return result
    }

    private static func convert(_ value: TOMLValueConvertible) -> ConfigurationValue {
        switch value.type {
        case .table: return .table(value.table.map(convert) ?? [:])
        case .array: return .array(value.array.map { $0.map(convert) } ?? [])
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .float(value.double ?? 0)
        case .bool: return .boolean(value.bool ?? false)
        case .date, .time, .dateTime: return .dateTime(value.debugDescription)
        }
    }
}
