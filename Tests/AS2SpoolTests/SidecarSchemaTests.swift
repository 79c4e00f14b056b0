import Foundation
import XCTest

@testable import AS2Spool

/// The sidecar models, the JSON Schemas in docs/schemas and their examples agree.
final class SidecarSchemaTests: XCTestCase {
    private static let schemaDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/schemas").path

    private func json(_ path: String) throws -> JSONValue {
        try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    private func schema(_ name: String) throws -> JSONValue {
        try json(Self.schemaDir + "/" + name + ".schema.json")
    }

    private let cases = [
        ("receipt-sidecar", "sent.mdn.json"), ("receipt-sidecar", "received.mdn.json"), ("error-sidecar", "failed.error.json"),
    ]

    func testExamplesValidateAgainstTheSchemas() throws {
        for (schemaName, example) in cases {
            let s = try schema(schemaName)
            let instance = try json(Self.schemaDir + "/examples/" + example)
            XCTAssertEqual(SchemaCheck(root: s).errors(instance), [], example)
        }
    }

    func testExamplesValidateWithPythonJSONSchemaWhenInstalled() throws {
        // The structural check above always runs; this one uses the reference implementation.
        let probe = try run(["python3", "-c", "import jsonschema"])
        if probe != 0 {
            print("python3 jsonschema is not installed; the structural check covers the examples")
            return
        }
        for (schemaName, example) in cases {
            let script = """
                import json, sys
                from jsonschema import Draft202012Validator as V
                s = json.load(open(sys.argv[1])); V.check_schema(s)
                V(s, format_checker=V.FORMAT_CHECKER).validate(json.load(open(sys.argv[2])))
                """
            XCTAssertEqual(
                try run(["python3", "-c", script, Self.schemaDir + "/\(schemaName).schema.json", Self.schemaDir + "/examples/" + example]), 0,
                example)
        }
    }

    private func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func testExamplesDecodeIntoTheModelsAndEncodeBackUnchanged() throws {
        for (_, example) in cases {
            let data = try Data(contentsOf: URL(fileURLWithPath: Self.schemaDir + "/examples/" + example))
            let reencoded: Data
            if example.hasSuffix(".error.json") {
                reencoded = try ErrorSidecar.decode(from: data).encoded()
            } else {
                reencoded = try ReceiptSidecar.decode(from: data).encoded()
            }
            XCTAssertEqual(try JSONValue.parse(reencoded), try JSONValue.parse(data), example)
        }
    }

    func testEncodedModelsUseOnlyKeysTheSchemaAllows() throws {
        let date = Date(timeIntervalSince1970: 1_714_557_300)
        let file = SidecarFile(name: "a-1.edi", originalName: "a.edi", size: 3, sha256: String(repeating: "ab", count: 32))
        let full = ReceiptSidecar(
            messageId: "<m@x>", direction: .received, partner: "acme", as2From: "A", as2To: "B", file: file,
            timestamps: .init(queued: date, sent: date, received: date, receipt: date),
            security: .init(
                signed: true, signatureAlgorithm: "sha256", signatureScheme: "pss", signerCertificateSha256: file.sha256,
                encrypted: true, encryptionAlgorithm: "aes256-cbc", keyTransport: "rsaes-oaep",
                recipientCertificateSha256: file.sha256, compressed: true, compression: .afterSigning),
            mic: .init(algorithm: "sha256", digest: "AAAA"),
            mdn: .init(
                mode: .async, requestedSigned: true, signed: true, signatureVerified: true, disposition: "d",
                dispositionType: .failed, modifier: "error: decryption-failed", micMatched: false, messageId: "<n@x>",
                delivery: .init(status: .pending, attempts: 0, lastError: "e", url: "https://x")),
            attempts: 2, httpStatus: 200)
        let minimal = ReceiptSidecar(
            messageId: "<m@x>", direction: .sent, partner: "acme", as2From: "A", as2To: "B", file: file,
            timestamps: .init(), security: .init(signed: false, encrypted: false, compressed: false), mic: nil,
            mdn: .init(mode: .none, requestedSigned: false), attempts: 1)
        let receiptSchema = SchemaCheck(root: try schema("receipt-sidecar"))
        for model in [full, minimal] {
            let encoded = try model.encoded()
            XCTAssertEqual(receiptSchema.errors(try JSONValue.parse(encoded)), [])
            XCTAssertEqual(try ReceiptSidecar.decode(from: encoded), model)
        }
        let fullText = String(decoding: try full.encoded(), as: UTF8.self)
        XCTAssertTrue(fullText.contains("\"queued\" : \"2024-05-01T09:55:00Z\""), fullText)

        let error = ErrorSidecar(
            messageId: "<m@x>", partner: "acme", file: file, failedAt: date, reason: "r", category: .micMismatch,
            attempts: 3, lastHttpStatus: 500, mdnDisposition: "d", details: "x")
        let errorSchema = SchemaCheck(root: try schema("error-sidecar"))
        XCTAssertEqual(errorSchema.errors(try JSONValue.parse(try error.encoded())), [])
        XCTAssertEqual(try ErrorSidecar.decode(from: try error.encoded()), error)
        XCTAssertTrue(String(decoding: try error.encoded(), as: UTF8.self).contains("\"category\" : \"mic-mismatch\""))
    }

    func testTheCheckerRejectsWhatTheSchemaForbids() throws {
        let check = SchemaCheck(root: try schema("receipt-sidecar"))
        var sent = try json(Self.schemaDir + "/examples/sent.mdn.json")
        XCTAssertEqual(check.errors(sent), [])
        sent["unknown_key"] = .integer(1)
        XCTAssertFalse(check.errors(sent).isEmpty)
        sent["unknown_key"] = nil
        sent["direction"] = .string("sideways")
        XCTAssertFalse(check.errors(sent).isEmpty)
        sent["direction"] = .string("sent")
        sent["message_id"] = nil
        XCTAssertFalse(check.errors(sent).isEmpty)
        sent["message_id"] = .string("<x>")
        sent["security"]?["signed"] = .string("yes")
        XCTAssertFalse(check.errors(sent).isEmpty)
        sent["security"]?["signed"] = .bool(true)
        sent["timestamps"] = .object(["queued": .string("2024-05-01 09:55")])
        XCTAssertFalse(check.errors(sent).isEmpty)
        sent["timestamps"] = .object([:])
        XCTAssertEqual(check.errors(sent), [])
    }
}

/// A parsed JSON value (booleans and numbers kept apart, unlike JSONSerialization on Linux).
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), integer(Int), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    subscript(key: String) -> JSONValue? {
        get { if case let .object(o) = self { return o[key] } else { return nil } }
        set { if case var .object(o) = self { o[key] = newValue; self = .object(o) } }
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// The subset of JSON Schema 2020-12 the sidecar schemas use: type, const, enum, properties,
/// required, additionalProperties: false, $ref to local $defs, minimum/maximum, minLength,
/// pattern, and format date-time.
struct SchemaCheck {
    let root: JSONValue

    func errors(_ instance: JSONValue) -> [String] {
        var out: [String] = []
        check(instance, against: root, at: "$", into: &out)
        return out
    }

    private func resolve(_ schema: JSONValue) -> JSONValue {
        guard case let .string(ref)? = schema["$ref"], ref.hasPrefix("#/$defs/"),
            let target = root["$defs"]?[String(ref.dropFirst("#/$defs/".count))]
        else { return schema }
        return resolve(target)
    }

    private func number(_ v: JSONValue?) -> Double? {
        switch v {
        case let .integer(i)?: return Double(i)
        case let .number(d)?: return d
        default: return nil
        }
    }

    private func check(_ value: JSONValue, against raw: JSONValue, at path: String, into out: inout [String]) {
        let schema = resolve(raw)
        if case let .string(type)? = schema["type"], type != value.typeName, !(type == "number" && value.typeName == "integer") {
            out.append("\(path): \(value.typeName) is not \(type)")
            return
        }
        if let constant = schema["const"], constant != value { out.append("\(path): not \(constant)") }
        if case let .array(options)? = schema["enum"], !options.contains(value) { out.append("\(path): \(value) not in enum") }
        if case let .string(s) = value {
            if let min = number(schema["minLength"]), Double(s.count) < min { out.append("\(path): too short") }
            if case let .string(pattern)? = schema["pattern"], s.range(of: pattern, options: .regularExpression) == nil {
                out.append("\(path): \"\(s)\" does not match \(pattern)")
            }
            if schema["format"] == .string("date-time"), ISO8601DateFormatter().date(from: s) == nil {
                out.append("\(path): \"\(s)\" is not a date-time")
            }
        }
        if let n = number(value) {
            if let min = number(schema["minimum"]), n < min { out.append("\(path): below \(min)") }
            if let max = number(schema["maximum"]), n > max { out.append("\(path): above \(max)") }
        }
        if case let .object(object) = value {
            if case let .array(required)? = schema["required"] {
                for case let .string(key) in required where object[key] == nil { out.append("\(path): missing \(key)") }
            }
            for (key, child) in object {
                if let sub = schema["properties"]?[key] {
                    check(child, against: sub, at: path + "." + key, into: &out)
                } else if schema["additionalProperties"] == .bool(false) {
                    out.append("\(path): unexpected key \(key)")
                }
            }
        }
    }
}
