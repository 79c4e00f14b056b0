import AS2Config

/// The `--json` report; `format` is versioned like the sidecars.
struct CheckConfigJSON: Encodable {
    struct Problem: Encodable {
        let severity: String
        let code: String
        let key: String
        let line: Int?
        let column: Int?
        let message: String
        let suggestion: String?
    }

    struct Partner: Encodable {
        let name: String
        let as2ID: String
        let url: String
        let outbox: String

        enum CodingKeys: String, CodingKey {
            case name, url, outbox
            case as2ID = "as2_id"
        }
    }

    let format = 1
    let config: String
    let valid: Bool
    let errors: Int
    let warnings: Int
    let as2ID: String?
    let partners: [Partner]
    let problems: [Problem]

    enum CodingKeys: String, CodingKey {
        case format, config, valid, errors, warnings, partners, problems
        case as2ID = "as2_id"
    }

    init(_ report: ConfigurationReport) {
        config = report.path
        valid = report.isValid
        errors = report.errorCount
        warnings = report.warningCount
        as2ID = report.configuration?.agent.as2ID
        let spool = report.configuration?.agent.spoolDirectory ?? ""
        partners = (report.configuration?.partners ?? []).map {
            Partner(name: $0.name, as2ID: $0.as2ID, url: $0.url.absoluteString, outbox: $0.folder(in: spool) + "/outbox")
        }
        problems = report.problems.map {
            Problem(
                severity: $0.severity.rawValue, code: $0.code.rawValue, key: $0.keyPath, line: $0.line, column: $0.column,
                message: $0.message, suggestion: $0.suggestion)
        }
    }
}
