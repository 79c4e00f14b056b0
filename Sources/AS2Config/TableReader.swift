import Foundation

/// Typed access to one table of agent.conf. Every accessor returns nil when the key is absent
/// or its value is unusable; unusable values are reported to the collector with the key's path
/// and position, so callers just fall back to the default.
struct TableReader {
    let values: [String: ConfigurationValue]
    /// Schema section: `agent`, `http`, `journal`, `folders` or `partner`.
    let section: String
    /// Locator path of the table: `agent`, `partner#2`.
    let location: String
    /// Displayed path of the table: `agent`, `partner[globex]`.
    let display: String
    let collector: ProblemCollector
    let paths: PathResolver

    func keyPath(_ key: String) -> String { "\(display).\(key)" }

    func has(_ key: String) -> Bool { values[key] != nil }

    func error(_ key: String?, _ code: ConfigurationProblem.Code, _ message: String, suggestion: String? = nil) {
        collector.add(
            .error, code, keyPath: key.map(keyPath) ?? display, location: key.map { "\(location).\($0)" } ?? location,
            message, suggestion: suggestion)
    }

    func warning(_ key: String?, _ code: ConfigurationProblem.Code, _ message: String, suggestion: String? = nil) {
        collector.add(
            .warning, code, keyPath: key.map(keyPath) ?? display, location: key.map { "\(location).\($0)" } ?? location,
            message, suggestion: suggestion)
    }

    private func value(_ key: String) -> ConfigurationValue? {
        assert(ConfigurationSchema.keys[section, default: []].contains(key), "\(section).\(key) missing from ConfigurationSchema")
        return values[key]
    }

    private func wrongType(_ key: String, _ expected: String, _ found: ConfigurationValue, example: String) {
        error(key, .wrongType, "expected \(expected), found \(found.typeName)", suggestion: "write for example \(key) = \(example)")
    }

    // MARK: Scalars

    func string(_ key: String) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else {
            wrongType(key, "a string", v, example: "\"...\"")
            return nil
        }
        return s
    }

    /// A string that must be present; reports `missing-key` otherwise.
    func requiredString(_ key: String, example: String) -> String? {
        if !has(key) {
            error(key, .missingKey, "\(key) is required", suggestion: "add \(key) = \(example)")
            return nil
        }
        return string(key)
    }

    func bool(_ key: String) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .boolean(let b) = v else {
            if case .string(let s) = v, ["true", "false"].contains(s.lowercased()) {
                error(key, .wrongType, "expected a boolean, found a string", suggestion: "write \(key) = \(s.lowercased()) without quotes")
            } else {
                wrongType(key, "a boolean", v, example: "true")
            }
            return nil
        }
        return b
    }

    func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let v = value(key) else { return nil }
        guard case .integer(let n) = v else {
            if case .string(let s) = v, let n = Int(s) {
                error(key, .wrongType, "expected an integer, found a string", suggestion: "write \(key) = \(n) without quotes")
            } else {
                wrongType(key, "an integer", v, example: "\(range.lowerBound)")
            }
            return nil
        }
        guard range.contains(n) else {
            error(key, .invalidValue, "\(n) is out of range \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return n
    }

    /// A float; integers are accepted too.
    func number(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let v = value(key) else { return nil }
        let n: Double
        switch v {
        case .float(let f): n = f
        case .integer(let i): n = Double(i)
        default:
            wrongType(key, "a number", v, example: "\(range.lowerBound)")
            return nil
        }
        guard range.contains(n) else {
            error(key, .invalidValue, "\(n) is out of range \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return n
    }

    /// A duration: integer seconds or a string such as `"30s"`, `"5m"`, `"1h30m"`, `"30d"`.
    func duration(_ key: String, minimum: Duration = .zero, maximum: Duration = .seconds(86_400 * 3650)) -> Duration? {
        guard let v = value(key) else { return nil }
        let parsed: Duration?
        switch v {
        case .integer(let n): parsed = n >= 0 ? .seconds(n) : nil
        case .string(let s): parsed = DurationSyntax.parse(s)
        default:
            wrongType(key, "a duration", v, example: "\"30s\"")
            return nil
        }
        guard let d = parsed else {
            error(key, .invalidValue, "not a duration: \(Self.describe(v))",
                suggestion: "write a number with a unit ms, s, m, h or d, e.g. \"30s\", \"5m\", \"1h\", or whole seconds")
            return nil
        }
        guard d >= minimum, d <= maximum else {
            error(key, .invalidValue,
                "\(DurationSyntax.format(d)) is out of range \(DurationSyntax.format(minimum))…\(DurationSyntax.format(maximum))")
            return nil
        }
        return d
    }

    /// A size: integer bytes or a string such as `"100MB"`, `"1GiB"`.
    func byteCount(_ key: String, minimum: Int = 1) -> Int? {
        guard let v = value(key) else { return nil }
        let parsed: Int?
        switch v {
        case .integer(let n): parsed = n >= 0 ? n : nil
        case .string(let s): parsed = ByteCountSyntax.parse(s)
        default:
            wrongType(key, "a size", v, example: "\"100MB\"")
            return nil
        }
        guard let n = parsed else {
            error(key, .invalidValue, "not a size: \(Self.describe(v))",
                suggestion: "write whole bytes or a number with a unit B, KB, MB, GB, KiB, MiB, GiB, e.g. \"100MB\"")
            return nil
        }
        guard n >= minimum else {
            error(key, .invalidValue, "must be at least \(ByteCountSyntax.format(minimum))")
            return nil
        }
        return n
    }

    /// One of an enum's raw values. `allowed` narrows the accepted cases, with `why` saying why
    /// others are refused.
    func choice<E: RawRepresentable & CaseIterable>(
        _ key: String, _ type: E.Type, allowed: (E) -> Bool = { _ in true }, why: String = ""
    ) -> E? where E.RawValue == String {
        switch choice(key, type, noneAllowed: false, allowed: allowed, why: why) {
        case .some(.some(let e)): return e
        default: return nil
        }
    }

    /// Like `choice`, but `"none"` is accepted too and returned as `.some(nil)`.
    func choiceOrNone<E: RawRepresentable & CaseIterable>(
        _ key: String, _ type: E.Type, allowed: (E) -> Bool = { _ in true }, why: String = ""
    ) -> E?? where E.RawValue == String {
        choice(key, type, noneAllowed: true, allowed: allowed, why: why)
    }

    private func choice<E: RawRepresentable & CaseIterable>(
        _ key: String, _ type: E.Type, noneAllowed: Bool, allowed: (E) -> Bool, why: String
    ) -> E?? where E.RawValue == String {
        guard let text = string(key) else { return nil }
        let names = (noneAllowed ? ["none"] : []) + E.allCases.filter(allowed).map(\.rawValue)
        if noneAllowed, text == "none" { return .some(nil) }
        if let e = E(rawValue: text) {
            if allowed(e) { return .some(e) }
            error(key, .invalidValue, "\"\(text)\" is not allowed here\(why.isEmpty ? "" : ": " + why)",
                suggestion: "use one of: " + names.joined(separator: ", "))
            return nil
        }
        let guess = E(rawValue: text.lowercased()).map(\.rawValue) ?? EditDistance.closest(to: text, among: names)
            ?? names.first { $0.hasPrefix(text.lowercased()) }
        error(key, .invalidValue, "unknown value \"\(text)\"; expected one of: " + names.joined(separator: ", "),
            suggestion: guess.map { "did you mean \"\($0)\"?" })
        return nil
    }

    // MARK: Paths, URLs, addresses, secrets

    /// A file path, made absolute against the configuration file's folder.
    func path(_ key: String) -> String? {
        guard let s = string(key) else { return nil }
        guard !s.isEmpty else {
            error(key, .invalidValue, "empty path", suggestion: "remove the key or name a file")
            return nil
        }
        return paths.resolve(s)
    }

    func pathList(_ key: String) -> [String]? {
        guard let list = stringList(key) else { return nil }
        var result: [String] = []
        for s in list {
            if s.isEmpty {
                error(key, .invalidValue, "empty path in the list")
            } else {
                result.append(paths.resolve(s))
            }
        }
        return result
    }

    func stringList(_ key: String) -> [String]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else {
            if case .string(let s) = v {
                error(key, .wrongType, "expected an array of strings, found a string", suggestion: "write \(key) = [\"\(s)\"]")
            } else {
                wrongType(key, "an array of strings", v, example: "[\"...\"]")
            }
            return nil
        }
        var result: [String] = []
        for item in items {
            guard case .string(let s) = item else {
                error(key, .wrongType, "expected an array of strings, found \(item.typeName) in it")
                return nil
            }
            result.append(s)
        }
        return result
    }

    /// An absolute http(s) URL without credentials or fragment.
    func url(_ key: String, schemes: Set<String> = ["http", "https"]) -> URL? {
        guard let s = string(key) else { return nil }
        return checkedURL(s, key: key, schemes: schemes)
    }

    func urlList(_ key: String) -> [URL]? {
        stringList(key).map { $0.compactMap { checkedURL($0, key: key, schemes: ["http", "https"]) } }
    }

    private func checkedURL(_ s: String, key: String, schemes: Set<String>) -> URL? {
        let allowed = schemes.sorted().map { "\($0)://" }.joined(separator: " or ")
        guard let components = URLComponents(string: s), let scheme = components.scheme?.lowercased(),
            let url = components.url, s.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            error(key, .invalidValue, "not a valid URL: \"\(s)\"", suggestion: "write an absolute URL starting with \(allowed)")
            return nil
        }
        guard schemes.contains(scheme) else {
            error(key, .invalidValue, "unsupported URL scheme \"\(scheme)\" in \"\(s)\"", suggestion: "use \(allowed)")
            return nil
        }
        guard let host = components.host, !host.isEmpty else {
            error(key, .invalidValue, "URL without a host: \"\(s)\"", suggestion: "write an absolute URL starting with \(allowed)")
            return nil
        }
        if components.user != nil || components.password != nil {
            error(key, .invalidValue, "credentials inside the URL are not allowed",
                suggestion: section == "partner" ? "use basic_auth_user and basic_auth_password_file" : "remove them")
            return nil
        }
        if components.fragment != nil {
            error(key, .invalidValue, "a URL fragment (#...) is not allowed here")
            return nil
        }
        return url
    }

    /// `host:port`; `.some(nil)` for `""` (listener off) when `disableable`.
    func listenAddress(_ key: String, disableable: Bool) -> ListenAddress?? {
        guard let s = string(key) else { return nil }
        if s.isEmpty {
            if disableable { return .some(nil) }
            error(key, .invalidValue, "empty address", suggestion: "write host:port, e.g. \"0.0.0.0:4443\"")
            return nil
        }
        guard let address = ListenAddress(parsing: s) else {
            error(key, .invalidValue, "not a host:port address: \"\(s)\"",
                suggestion: "write host:port, e.g. \"0.0.0.0:4080\", \"127.0.0.1:4081\" or \"[::]:4080\"")
            return nil
        }
        return .some(address)
    }

    /// Reads the secret file a `*_file` key names (trailing line breaks removed).
    func secret(_ key: String) -> Secret? {
        guard let path = path(key) else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else {
            error(key, .secret, "cannot read \(path): \(String(cString: strerror(errno)))")
            return nil
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            error(key, .secret, "\(path) is not a regular file")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            error(key, .secret, "cannot read \(path): permission denied")
            return nil
        }
        guard var text = String(data: data, encoding: .utf8) else {
            error(key, .secret, "\(path) is not UTF-8 text")
            return nil
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") || text.hasSuffix("\r\n") { text.removeLast() }
        guard !text.isEmpty else {
            error(key, .secret, "\(path) is empty", suggestion: "write the secret into the file, or remove \(key)")
            return nil
        }
        if info.st_mode & 0o004 != 0 {
            warning(key, .secret, "\(path) is readable by every user", suggestion: "chmod o-rwx \(path)")
        }
        return Secret(path: path, value: text)
    }

    // MARK: Unknown keys

    /// Reports keys this table does not know, with the closest known key as suggestion, or the
    /// table the key belongs in.
    func reportUnknownKeys() {
        let known = ConfigurationSchema.keys[section, default: []]
        for key in values.keys.sorted() where !known.contains(key) {
            let owners = ConfigurationSchema.tables(knowing: key, except: section)
            let suggestion: String?
            if let close = EditDistance.closest(to: key, among: known) {
                suggestion = "did you mean \(close)?"
            } else if let owner = owners.first {
                suggestion = "\(key) belongs in \(ConfigurationSchema.header(owner))"
            } else {
                suggestion = nil
            }
            error(key, .unknownKey, "unknown key \(key) in \(ConfigurationSchema.header(section))", suggestion: suggestion)
        }
    }

    private static func describe(_ v: ConfigurationValue) -> String {
        switch v {
        case .string(let s): return "\"\(s)\""
        case .integer(let n): return "\(n)"
        default: return v.typeName
        }
    }
}
