import Foundation

/// Where a table is: locator path (`agent`, `partner#2`) and displayed path (`agent`, `partner[globex]`).
typealias TablePath = (location: String, display: String)

/// TOML tree → typed values, checking keys, types, enum values, syntax of names, ids, URLs and
/// addresses, and the consistency of keys with each other. Reads secret files; touches no other file.
struct ConfigurationDecoder {
    /// Absolute path of the configuration file.
    let path: String
    let collector: ProblemCollector
    let paths: PathResolver

    /// Decodes TOML text as if read from `path` (absolute).
    static func decode(text: String, path: String) -> DecodedConfiguration {
        let document: ConfigurationDocument
        do {
            document = try ConfigurationDocument.parse(text)
        } catch {
            return DecodedConfiguration(
                configuration: nil, problems: error.problems, locator: TOMLSourceLocator(text: ""), partnerPaths: [])
        }
        let collector = ProblemCollector(locator: document.locator)
        let decoder = ConfigurationDecoder(
            path: path, collector: collector, paths: PathResolver(directory: PathResolver.parent(of: path)))
        let (configuration, partnerPaths) = decoder.decodeRoot(document.root)
        return DecodedConfiguration(
            configuration: configuration, problems: sorted(collector.problems), locator: document.locator,
            partnerPaths: partnerPaths)
    }

    /// File order; problems without a line last, errors before warnings on the same spot.
    static func sorted(_ problems: [ConfigurationProblem]) -> [ConfigurationProblem] {
        problems.enumerated().sorted { a, b in
            let la = a.element.line ?? Int.max
            let lb = b.element.line ?? Int.max
            if la != lb { return la < lb }
            if (a.element.column ?? 0) != (b.element.column ?? 0) { return (a.element.column ?? 0) < (b.element.column ?? 0) }
            if a.element.severity != b.element.severity { return a.element.severity < b.element.severity }
            return a.offset < b.offset
        }.map(\.element)
    }

    // MARK: Root

    private func decodeRoot(_ root: [String: ConfigurationValue]) -> (AgentConfiguration?, [TablePath]) {
        for key in root.keys.sorted() where !ConfigurationSchema.tables.contains(key) {
            if case .table = root[key] {
                collector.add(
                    .error, .unknownKey, keyPath: key, location: key, "unknown table [\(key)]",
                    suggestion: EditDistance.closest(to: key, among: ConfigurationSchema.tables).map { "did you mean [\($0)]?" })
            } else {
                let owners = ConfigurationSchema.tables(knowing: key, except: "")
                collector.add(
                    .error, .unknownKey, keyPath: key, location: key, "key \(key) is outside any table",
                    suggestion: owners.first.map { "move it under \(ConfigurationSchema.header($0))" }
                        ?? "keys belong under a table header such as [agent]")
            }
        }
        guard root["agent"] != nil else {
            collector.add(
                .error, .missingKey, keyPath: "agent", location: nil, "the [agent] table is missing",
                suggestion: "add [agent] with as2_id, certificate and private_key")
            _ = decodeSections(root, agent: nil)
            return (nil, [])
        }
        let agentReader = reader(root, "agent")
        let agent = agentReader.flatMap(decodeAgent)
        agentReader?.reportUnknownKeys()
        return decodeSections(root, agent: agent)
    }

    private func decodeSections(_ root: [String: ConfigurationValue], agent: AgentSettings?) -> (AgentConfiguration?, [TablePath]) {
        let httpReader = reader(root, "http")
        let http = httpReader.map(decodeHTTP) ?? .default
        httpReader?.reportUnknownKeys()
        let journalReader = reader(root, "journal")
        let journal = journalReader.map(decodeJournal) ?? .default
        journalReader?.reportUnknownKeys()
        let foldersReader = reader(root, "folders")
        let folders = foldersReader.map(decodeFolders) ?? .default
        foldersReader?.reportUnknownKeys()

        var partners: [PartnerConfiguration] = []
        var partnerPaths: [TablePath] = []
        for partnerReader in partnerReaders(root) {
            if let partner = decodePartner(partnerReader, agent: agent, http: http, folders: folders) {
                partners.append(partner)
                partnerPaths.append((location: partnerReader.location, display: partnerReader.display))
            }
            partnerReader.reportUnknownKeys()
        }
        checkUniqueness(partners, partnerPaths)
        guard let agent else { return (nil, partnerPaths) }
        let configuration = AgentConfiguration(
            path: path, agent: agent, http: http, journal: journal, folders: folders, partners: partners)
        return (configuration, partnerPaths)
    }

    /// A reader for a plain table; nil when absent or not a table (reported).
    private func reader(_ root: [String: ConfigurationValue], _ name: String) -> TableReader? {
        guard let value = root[name] else { return nil }
        guard case .table(let values) = value else {
            collector.add(
                .error, .wrongType, keyPath: name, location: name, "\(name) must be a table, found \(value.typeName)",
                suggestion: "write a [\(name)] header with its keys below it")
            return nil
        }
        return TableReader(
            values: values, section: name, location: name, display: name, collector: collector, paths: paths)
    }

    private func partnerReaders(_ root: [String: ConfigurationValue]) -> [TableReader] {
        guard let value = root["partner"] else { return [] }
        guard case .array(let items) = value else {
            collector.add(
                .error, .wrongType, keyPath: "partner", location: "partner",
                "partner must be an array of tables, found \(value.typeName)",
                suggestion: "write [[partner]] (double brackets) above each partner's keys")
            return []
        }
        var readers: [TableReader] = []
        for (index, item) in items.enumerated() {
            let location = "partner#\(index + 1)"
            guard case .table(let values) = item else {
                collector.add(
                    .error, .wrongType, keyPath: "partner[#\(index + 1)]", location: "partner",
                    "each partner must be a table, found \(item.typeName)", suggestion: "write [[partner]] blocks")
                continue
            }
            var display = "partner[#\(index + 1)]"
            if case .string(let name) = values["name"], !name.isEmpty { display = "partner[\(name)]" }
            readers.append(
                TableReader(
                    values: values, section: "partner", location: location, display: display, collector: collector,
                    paths: paths))
        }
        return readers
    }

    // MARK: [agent]

    private func decodeAgent(_ r: TableReader) -> AgentSettings? {
        let as2ID = r.requiredString("as2_id", example: "\"ACME\"")
        if let as2ID { checkAS2Name(as2ID, r, "as2_id") }
        let spool = r.path("spool_dir") ?? AgentSettings.defaultSpoolDirectory
        let state = r.path("state_dir") ?? AgentSettings.defaultStateDirectory

        var identity: IdentitySource?
        if r.has("pkcs12") {
            if r.has("certificate") || r.has("private_key") {
                r.error("pkcs12", .conflict, "set either pkcs12 or certificate + private_key, not both")
            }
            if r.has("private_key_password_file") {
                r.error(
                    "private_key_password_file", .conflict, "private_key_password_file belongs to private_key",
                    suggestion: "name the PKCS#12 password file in pkcs12_password_file")
            }
            let password = r.secret("pkcs12_password_file")
            if let file = r.path("pkcs12") { identity = .pkcs12(path: file, password: password) }
        } else {
            if r.has("pkcs12_password_file") {
                r.warning("pkcs12_password_file", .conflict, "unused without pkcs12")
            }
            for key in ["certificate", "private_key"] where !r.has(key) {
                r.error(
                    key, .missingKey, "\(key) is required (or pkcs12)",
                    suggestion: "add \(key) = \"/etc/as2-agent/keys/\(key == "certificate" ? "acme.crt" : "acme.key")\"")
            }
            let certificate = r.path("certificate")
            let privateKey = r.path("private_key")
            let password = r.secret("private_key_password_file")
            if let certificate, let privateKey {
                identity = .pem(certificate: certificate, privateKey: privateKey, password: password)
            }
        }
        let previousKeys = r.pathList("previous_private_keys") ?? []
        let previousCertificates = r.pathList("previous_certificates") ?? []
        var previousPassword = r.secret("previous_private_key_password_file")
        if previousPassword == nil, !r.has("previous_private_key_password_file"), case .pem(_, _, let p) = identity {
            previousPassword = p
        }
        if previousKeys.isEmpty, !previousCertificates.isEmpty {
            r.warning("previous_certificates", .conflict, "unused without previous_private_keys")
        }
        let logLevel = r.choice("log_level", LogLevel.self) ?? .info
        guard let as2ID, let identity else { return nil }
        return AgentSettings(
            as2ID: as2ID, identity: identity, spoolDirectory: spool, stateDirectory: state,
            previousPrivateKeys: previousKeys, previousCertificates: previousCertificates,
            previousPrivateKeyPassword: previousPassword, logLevel: logLevel)
    }

    func checkAS2Name(_ name: String, _ r: TableReader, _ key: String) {
        if let message = AS2NameSyntax.error(in: name) {
            r.error(key, .invalidValue, message)
        } else if let message = AS2NameSyntax.warning(in: name) {
            r.warning(key, .risky, message)
        }
    }

    // MARK: [http]

    private func decodeHTTP(_ r: TableReader) -> HTTPSettings {
        let d = HTTPSettings.default
        var http = d
        http.listen = r.listenAddress("listen", disableable: true) ?? d.listen
        http.path = urlPath(r, "path") ?? d.path
        http.mdnPath = urlPath(r, "mdn_path") ?? d.mdnPath
        http.adminListen = r.listenAddress("admin_listen", disableable: true) ?? d.adminListen
        http.publicURL = r.url("public_url")
        http.asyncMDNURL = r.url("async_mdn_url")
        http.maxHeaderSize = r.byteCount("max_header_size", minimum: 256) ?? d.maxHeaderSize
        http.maxHeadersTotal = r.byteCount("max_headers_total", minimum: 256) ?? d.maxHeadersTotal
        http.maxHeaderCount = r.integer("max_header_count", in: 8...10_000) ?? d.maxHeaderCount
        http.spoolThreshold = r.byteCount("spool_threshold", minimum: 0) ?? d.spoolThreshold
        http.requestTimeout = r.duration("request_timeout", minimum: .seconds(1)) ?? d.requestTimeout
        http.idleTimeout = r.duration("idle_timeout", minimum: .seconds(1)) ?? d.idleTimeout
        http.maxConnections = r.integer("max_connections", in: 1...100_000) ?? d.maxConnections
        if http.maxHeadersTotal < http.maxHeaderSize {
            r.warning(
                "max_headers_total", .conflict,
                "smaller than max_header_size (\(ByteCountSyntax.format(http.maxHeaderSize))), so it is the effective limit")
        }

        let tlsKeys = ["tls_certificate", "tls_private_key", "tls_private_key_password_file", "tls_client_ca_file"]
        if let tlsListen = r.listenAddress("tls_listen", disableable: true) ?? nil {
            let certificate = r.path("tls_certificate")
            if !r.has("tls_certificate") {
                r.error(
                    "tls_certificate", .missingKey, "tls_listen needs tls_certificate (and tls_private_key)",
                    suggestion: "add tls_certificate = \"/etc/as2-agent/keys/tls.crt\"")
            }
            let privateKey = r.path("tls_private_key") ?? certificate
            let password = r.secret("tls_private_key_password_file")
            let clientCA = r.path("tls_client_ca_file")
            if let certificate, let privateKey {
                http.tls = HTTPSListenerSettings(
                    listen: tlsListen, certificate: certificate, privateKey: privateKey, privateKeyPassword: password,
                    clientCAFile: clientCA)
            }
        } else {
            for key in tlsKeys where r.has(key) {
                r.warning(key, .conflict, "unused without tls_listen")
            }
        }
        if http.listen == nil, !r.has("tls_listen") {
            r.error("listen", .conflict, "no listener: listen is off and tls_listen is not set", suggestion: "set listen or tls_listen")
        }
        checkListenerClashes(r, http)
        if let publicURL = http.publicURL, publicURL.path.isEmpty || publicURL.path == "/", http.path != "/" {
            r.warning(
                "public_url", .risky, "public_url has no path, but the AS2 endpoint is at \(http.path)",
                suggestion: "write the full endpoint URL, e.g. \"https://as2.example.com\(http.path)\"")
        }
        return http
    }

    private func urlPath(_ r: TableReader, _ key: String) -> String? {
        guard let s = r.string(key) else { return nil }
        guard s.hasPrefix("/"), s.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "?" && $0 != "#" })
        else {
            r.error(key, .invalidValue, "not a URL path: \"\(s)\"", suggestion: "write an absolute path such as \"/as2\"")
            return nil
        }
        return s
    }

    /// Two listeners on one port clash when their hosts are equal or either is a wildcard.
    private func checkListenerClashes(_ r: TableReader, _ http: HTTPSettings) {
        let listeners: [(String, ListenAddress?)] = [
            ("listen", http.listen), ("tls_listen", http.tls?.listen), ("admin_listen", http.adminListen),
        ]
        let wildcard: Set<String> = ["0.0.0.0", "::"]
        for i in listeners.indices {
            for j in listeners.indices where j > i {
                guard let a = listeners[i].1, let b = listeners[j].1, a.port == b.port, a.port != 0 else { continue }
                if a.host == b.host || wildcard.contains(a.host) || wildcard.contains(b.host) {
                    r.error(
                        listeners[j].0, .conflict, "\(b) clashes with \(listeners[i].0) (\(a))",
                        suggestion: "use another port")
                }
            }
        }
    }

    // MARK: [journal], [folders]

    private func decodeJournal(_ r: TableReader) -> JournalSettings {
        let d = JournalSettings.default
        let history = r.integer("history_days", in: 1...36_500) ?? d.historyDays
        let duplicate = r.integer("duplicate_days", in: 1...36_500) ?? d.duplicateDays
        if duplicate > history {
            r.warning(
                "duplicate_days", .conflict,
                "longer than history_days (\(history)): duplicates are detected for \(history) days only")
        }
        return JournalSettings(historyDays: history, duplicateDays: duplicate)
    }

    private func decodeFolders(_ r: TableReader) -> FolderSettings {
        let d = FolderSettings.default
        var folders = d
        for key in ["ignore_prefixes", "ignore_suffixes"] {
            guard let list = r.stringList(key) else { continue }
            if list.contains("") {
                r.error(key, .invalidValue, "an empty string would ignore every file")
                continue
            }
            if key == "ignore_prefixes" { folders.ignorePrefixes = list } else { folders.ignoreSuffixes = list }
        }
        if let interval = r.duration("rescan_interval") {
            if interval != .zero, interval < .seconds(1) {
                r.error("rescan_interval", .invalidValue, "must be 0 (off) or at least 1s")
            } else {
                folders.rescanInterval = interval
            }
        }
        folders.sendConcurrency = r.integer("send_concurrency", in: 1...64) ?? d.sendConcurrency
        return folders
    }

    // MARK: Across partners

    /// Names and AS2 ids must be unique. Each partner is compared only with the earlier partners
    /// that share its name or (case-folded) AS2 id, found through dictionaries: O(n) for a valid
    /// file, and the same problems, in the same order, as comparing every pair.
    private func checkUniqueness(_ partners: [PartnerConfiguration], _ paths: [TablePath]) {
        for (i, j) in Self.duplicateCandidates(partners) {
            let partner = partners[i]
            let other = partners[j]
            let otherLine = collector.locator.position(of: paths[j].location).map { " (line \($0.line))" } ?? ""
            if other.name == partner.name {
                collector.add(
                    .error, .duplicate, keyPath: "\(paths[i].display).name", location: "\(paths[i].location).name",
                    "partner name \"\(partner.name)\" is already used by an earlier partner\(otherLine)",
                    suggestion: "partner names are folder names and must be unique")
            }
            if Self.sameAS2ID(partner, other) {
                collector.add(
                    .error, .duplicate, keyPath: "\(paths[i].display).as2_id", location: "\(paths[i].location).as2_id",
                    "AS2 name \"\(partner.as2ID)\" is already used by partner \"\(other.name)\"\(otherLine)",
                    suggestion: "each partner needs its own AS2 name")
            }
        }
    }

    /// Whether two partners' AS2 ids clash: equal, or equal ignoring case when either partner
    /// sets `case_insensitive_as2_id`.
    static func sameAS2ID(_ a: PartnerConfiguration, _ b: PartnerConfiguration) -> Bool {
        let insensitive = a.interop.caseInsensitiveAS2ID || b.interop.caseInsensitiveAS2ID
        return a.as2ID == b.as2ID || (insensitive && a.as2ID.lowercased() == b.as2ID.lowercased())
    }

    /// Every pair (i, j), j < i, whose name or AS2 id clash, ordered by i then j.
    static func duplicateCandidates(_ partners: [PartnerConfiguration]) -> [(Int, Int)] {
        var byName: [String: [Int]] = [:]
        var byFoldedAS2ID: [String: [Int]] = [:]
        var pairs: [(Int, Int)] = []
        for (i, partner) in partners.enumerated() {
            let folded = partner.as2ID.lowercased()
            let sameName = byName[partner.name] ?? []
            let clashing = (byFoldedAS2ID[folded] ?? []).filter { Self.sameAS2ID(partner, partners[$0]) }
            if !sameName.isEmpty || !clashing.isEmpty {
                for j in Set(sameName + clashing).sorted() { pairs.append((i, j)) }
            }
            byName[partner.name, default: []].append(i)
            byFoldedAS2ID[folded, default: []].append(i)
        }
        return pairs
    }
}
