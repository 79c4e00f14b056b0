import Foundation

/// `FileChecks.day`'s format (a generic type cannot hold it as a static property).
private let utcDayStyle = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()

/// check-config's checks of everything agent.conf points at: folders exist and are writable,
/// certificates and keys parse, passwords open their keys, keys match their certificates,
/// validity periods, key sizes and usages, and listen ports.
struct FileChecks<Inspector: CryptoInspector> {
    let inspector: Inspector
    let now: Date
    let collector: ProblemCollector
    /// Certificates expiring within this window get a warning (requirements R-CERT-5).
    static var expiryWarningWindow: TimeInterval { 30 * 86_400 }
    /// Smallest RSA key we use ourselves (requirements R-ALG-4).
    static var minimumKeyBits: Int { 2048 }

    /// A key as reported: displayed path and locator path.
    struct Ref {
        let display: String
        let location: String
        init(_ table: TablePath, _ key: String) {
            display = "\(table.display).\(key)"
            location = "\(table.location).\(key)"
        }
    }

    /// How an expired certificate is judged.
    enum Expiry {
        case error, warning
    }

    func run(_ configuration: AgentConfiguration, partnerPaths: [TablePath], checkPorts: Bool) {
        let agent: TablePath = ("agent", "agent")
        checkDirectory(configuration.agent.spoolDirectory, Ref(agent, "spool_dir"))
        checkDirectory(configuration.agent.stateDirectory, Ref(agent, "state_dir"))
        checkIdentity(configuration.agent)
        checkHTTP(configuration.http)
        for (partner, paths) in zip(configuration.partners, partnerPaths) {
            checkPartner(partner, paths)
        }
        if checkPorts { self.checkPorts(configuration.http) }
    }

    // MARK: [agent]

    private func checkIdentity(_ agent: AgentSettings) {
        let table: TablePath = ("agent", "agent")
        var current: [Inspector.Certificate] = []
        switch agent.identity {
        case .pem(let certificatePath, let keyPath, let password):
            if !FileManager.default.fileExists(atPath: certificatePath), !FileManager.default.fileExists(atPath: keyPath) {
                error(Ref(table, "private_key"), .file, "neither \(certificatePath) nor \(keyPath) exists",
                    suggestion: Self.generateHint(as2ID: agent.as2ID, certificate: certificatePath, key: keyPath))
                break
            }
            let certificates = loadCertificates(certificatePath, Ref(table, "certificate"), expiry: .error, ours: true)
            let key = privateKey(keyPath, password: password, Ref(table, "private_key"), Ref(table, "private_key_password_file"))
            if let key, let certificate = certificates?.first {
                if !inspector.key(key, matches: certificate) {
                    error(Ref(table, "private_key"), .key, "\(keyPath) is not the private key of certificate \(certificatePath)",
                        suggestion: "name the key the certificate was made from, or generate both anew with as2-agent keys generate")
                }
                checkOurKeySize(key, Ref(table, "private_key"))
            }
            current = certificates.map { Array($0.prefix(1)) } ?? []
        case .pkcs12(let path, let password):
            let ref = Ref(table, "pkcs12")
            guard checkReadable(path, ref) else { break }
            do {
                let (key, certificates) = try inspector.loadPKCS12(path: path, password: password?.value)
                guard let certificate = certificates.first(where: { inspector.key(key, matches: $0) }) else {
                    error(ref, .key, "\(path) holds no certificate matching its private key")
                    break
                }
                checkValidity(certificate, ref, expiry: .error, ours: true)
                checkOurKeySize(key, ref)
                current = [certificate]
            } catch {
                switch error {
                case .wrongPassword: passwordProblem(path, password: password, ref, Ref(table, "pkcs12_password_file"))
                case .unusable(let message): self.error(ref, .key, "\(path): \(message)")
                }
            }
        }
        checkPreviousKeys(agent, current: current)
    }

    /// Each previous key opens and pairs with a certificate among previous_certificates or the
    /// certificates in its own file.
    private func checkPreviousKeys(_ agent: AgentSettings, current: [Inspector.Certificate]) {
        guard !agent.previousPrivateKeys.isEmpty else { return }
        let table: TablePath = ("agent", "agent")
        let ref = Ref(table, "previous_private_keys")
        var pool: [(path: String, certificate: Inspector.Certificate, used: Bool)] = []
        for path in agent.previousCertificates {
            for certificate in loadCertificates(path, Ref(table, "previous_certificates"), expiry: nil, ours: true) ?? [] {
                pool.append((path, certificate, false))
            }
        }
        let passwordRef = Ref(table, "previous_private_key_password_file")
        for path in agent.previousPrivateKeys {
            guard let key = privateKey(path, password: agent.previousPrivateKeyPassword, ref, passwordRef) else { continue }
            if current.contains(where: { inspector.key(key, matches: $0) }) {
                warning(ref, .key, "\(path) is the current private key, not a previous one")
                continue
            }
            if let index = pool.firstIndex(where: { inspector.key(key, matches: $0.certificate) }) {
                pool[index].used = true
                continue
            }
            let own = (try? inspector.loadCertificates(path: path)) ?? []
            if own.contains(where: { inspector.key(key, matches: $0) }) { continue }
            error(ref, .key, "no certificate matches previous key \(path); decryption needs the key's certificate",
                suggestion: "add its certificate to previous_certificates")
        }
        for entry in pool where !entry.used {
            warning(Ref(table, "previous_certificates"), .certificate,
                "\(entry.path) matches none of previous_private_keys")
        }
    }

    private func checkOurKeySize(_ key: Inspector.PrivateKey, _ ref: Ref) {
        if let bits = inspector.bits(of: key), bits < Self.minimumKeyBits {
            error(ref, .key, "the key has \(bits) bits; our keys need at least \(Self.minimumKeyBits)",
                suggestion: "generate a new key with as2-agent keys generate --bits 3072")
        }
    }

    // MARK: [http]

    private func checkHTTP(_ http: HTTPSettings) {
        guard let tls = http.tls else { return }
        let table: TablePath = ("http", "http")
        let certificates = loadCertificates(tls.certificate, Ref(table, "tls_certificate"), expiry: .error, ours: false)
        let keyRef = Ref(table, tls.privateKey == tls.certificate ? "tls_certificate" : "tls_private_key")
        let key = privateKey(tls.privateKey, password: tls.privateKeyPassword, keyRef, Ref(table, "tls_private_key_password_file"))
        if let key, let certificate = certificates?.first, !inspector.key(key, matches: certificate) {
            error(keyRef, .key, "\(tls.privateKey) is not the private key of TLS certificate \(tls.certificate)")
        }
        if let ca = tls.clientCAFile {
            _ = loadCertificates(ca, Ref(table, "tls_client_ca_file"), expiry: .warning, ours: false)
        }
    }

    private func checkPorts(_ http: HTTPSettings) {
        let table: TablePath = ("http", "http")
        let listeners: [(String, ListenAddress?)] = [
            ("listen", http.listen), ("tls_listen", http.tls?.listen), ("admin_listen", http.adminListen),
        ]
        for case let (key, address?) in listeners where address.port != 0 {
            switch ListenPortProbe.probe(address) {
            case .free:
                break
            case .inUse:
                warning(Ref(table, key), .port, "\(address) is in use (by a running agent, or another program)",
                    suggestion: "ss -ltnp 'sport = :\(address.port)' shows which program")
            case .permissionDenied:
                warning(Ref(table, key), .port, "this user may not bind \(address) (ports below 1024 need CAP_NET_BIND_SERVICE)")
            case .unavailable(let reason):
                error(Ref(table, key), .port, "cannot bind \(address): \(reason)",
                    suggestion: "use an address of this host, 0.0.0.0 or 127.0.0.1")
            }
        }
    }

    // MARK: [[partner]]

    private func checkPartner(_ partner: PartnerConfiguration, _ table: TablePath) {
        let allowExpired = partner.inbound.allowExpiredCertificate
        if let path = partner.certificate {
            // Used to encrypt (unless encrypt_certificate) and to verify.
            let encrypts = partner.encryptCertificate == nil && partner.outbound.encrypt != nil
            let expiry: Expiry = encrypts || !allowExpired ? .error : .warning
            if let certificates = loadCertificates(path, Ref(table, "certificate"), expiry: expiry, ours: false) {
                checkPartnerKeySize(certificates, Ref(table, "certificate"))
            }
        }
        for path in partner.verifyCertificates {
            _ = loadCertificates(path, Ref(table, "verify_certificates"), expiry: .warning, ours: false)
        }
        if let path = partner.encryptCertificate,
            let certificates = loadCertificates(path, Ref(table, "encrypt_certificate"), expiry: .error, ours: false)
        {
            checkPartnerKeySize(certificates, Ref(table, "encrypt_certificate"))
        }
        if let path = partner.inbound.tlsClientCertificate {
            _ = loadCertificates(path, Ref(table, "inbound_tls_client_certificate"), expiry: .error, ours: false)
        }
        let transport = partner.transport
        if let path = transport.tlsCAFile {
            _ = loadCertificates(path, Ref(table, "tls_ca_file"), expiry: .warning, ours: false)
        }
        if let path = transport.tlsPinnedCertificate {
            _ = loadCertificates(path, Ref(table, "tls_pinned_certificate"), expiry: .error, ours: false)
        }
        if let certificatePath = transport.tlsClientCertificate, let keyPath = transport.tlsClientPrivateKey {
            let certificates = loadCertificates(certificatePath, Ref(table, "tls_client_certificate"), expiry: .error, ours: false)
            let keyRef = Ref(table, keyPath == certificatePath ? "tls_client_certificate" : "tls_client_private_key")
            let key = privateKey(
                keyPath, password: transport.tlsClientPrivateKeyPassword, keyRef,
                Ref(table, "tls_client_private_key_password_file"))
            if let key, let certificate = certificates?.first, !inspector.key(key, matches: certificate) {
                error(keyRef, .key, "\(keyPath) is not the private key of TLS client certificate \(certificatePath)")
            }
        }
    }

    private func checkPartnerKeySize(_ certificates: [Inspector.Certificate], _ ref: Ref) {
        guard let first = certificates.first, let bits = inspector.facts(of: first).publicKeyBits, bits < Self.minimumKeyBits
        else { return }
        warning(ref, .certificate, "the partner's key has only \(bits) bits (legacy); ask the partner for a \(Self.minimumKeyBits)-bit or larger key")
    }

    // MARK: Files

    private func checkDirectory(_ path: String, _ ref: Ref) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT {
                warning(ref, .file, "\(path) does not exist yet; the agent creates it on start",
                    suggestion: "or create it now: install -d -m 0750 \(path)")
            } else {
                error(ref, .file, "cannot reach \(path): \(String(cString: strerror(errno)))")
            }
            return
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            error(ref, .file, "\(path) exists but is not a directory")
            return
        }
        if access(path, W_OK | X_OK) != 0 {
            warning(ref, .file, "\(path) is not writable by this user (uid \(getuid())); the agent's user must be able to write it")
        }
    }

    /// The file exists, is a regular file and is readable; reports otherwise.
    private func checkReadable(_ path: String, _ ref: Ref) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            error(ref, .file, "cannot read \(path): \(String(cString: strerror(errno)))")
            return false
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            error(ref, .file, "\(path) is not a regular file")
            return false
        }
        guard access(path, R_OK) == 0 else {
            error(ref, .file, "cannot read \(path): permission denied for this user (uid \(getuid()))")
            return false
        }
        return true
    }

    /// Loads a certificate file (at least one certificate) and checks the validity of the first;
    /// `expiry` nil skips the validity check.
    private func loadCertificates(_ path: String, _ ref: Ref, expiry: Expiry?, ours: Bool) -> [Inspector.Certificate]? {
        guard checkReadable(path, ref) else { return nil }
        let certificates: [Inspector.Certificate]
        do {
            certificates = try inspector.loadCertificates(path: path)
        } catch {
            self.error(ref, .certificate, "\(path) holds no usable certificate: \(error)",
                suggestion: "certificates are PEM (-----BEGIN CERTIFICATE-----) or DER files")
            return nil
        }
        guard let first = certificates.first else {
            error(ref, .certificate, "\(path) holds no certificate")
            return nil
        }
        if let expiry { checkValidity(first, ref, expiry: expiry, ours: ours) }
        return certificates
    }

    private func checkValidity(_ certificate: Inspector.Certificate, _ ref: Ref, expiry: Expiry, ours: Bool) {
        let facts = inspector.facts(of: certificate)
        let name = "certificate \"\(facts.subject)\""
        let renew = ours ? "generate a new key and certificate and send the certificate to your partners"
            : "ask the partner for its new certificate"
        if facts.notAfter < now {
            report(expiry == .error ? .error : .warning, ref, .certificate,
                "\(name) expired on \(Self.day(facts.notAfter))", suggestion: renew)
        } else if facts.notBefore > now {
            report(expiry == .error ? .error : .warning, ref, .certificate,
                "\(name) is not valid before \(Self.day(facts.notBefore))")
        } else if facts.notAfter.timeIntervalSince(now) < Self.expiryWarningWindow {
            let days = Int(facts.notAfter.timeIntervalSince(now) / 86_400)
            warning(ref, .certificate, "\(name) expires on \(Self.day(facts.notAfter)) (in \(days) day\(days == 1 ? "" : "s"))",
                suggestion: renew)
        }
        if ours, let usage = facts.keyUsage {
            let missing = ["digitalSignature", "keyEncipherment"].filter { !usage.contains($0) }
            if !missing.isEmpty {
                warning(ref, .certificate,
                    "\(name) has a key usage without \(missing.joined(separator: " and ")); some partners refuse it (requirements R-CERT-7)")
            }
        }
    }

    /// Opens a private key with its password; reports the password key when the password is wrong.
    private func privateKey(_ path: String, password: Secret?, _ ref: Ref, _ passwordRef: Ref) -> Inspector.PrivateKey? {
        guard checkReadable(path, ref) else { return nil }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o004 != 0 {
            warning(ref, .key, "\(path) is readable by every user", suggestion: "chmod 600 \(path)")
        }
        do {
            return try inspector.loadPrivateKey(path: path, password: password?.value)
        } catch {
            switch error {
            case .wrongPassword:
                passwordProblem(path, password: password, ref, passwordRef)
            case .unusable(let message):
                self.error(ref, .key, "\(path): \(message)", suggestion: "keys are PEM (PKCS#8 or PKCS#1) or DER files")
            }
        }
        return nil
    }

    private func passwordProblem(_ path: String, password: Secret?, _ ref: Ref, _ passwordRef: Ref) {
        if let password {
            error(passwordRef, .secret, "the password in \(password.path) does not open \(path)")
        } else {
            let key = passwordRef.display.split(separator: ".").last.map(String.init) ?? "password file"
            error(ref, .secret, "\(path) is encrypted and no password file is configured",
                suggestion: "add \(key) = \"/etc/as2-agent/secrets/...\"")
        }
    }

    // MARK: Reporting

    private func report(
        _ severity: ConfigurationProblem.Severity, _ ref: Ref, _ code: ConfigurationProblem.Code, _ message: String,
        suggestion: String? = nil
    ) {
        collector.add(severity, code, keyPath: ref.display, location: ref.location, message, suggestion: suggestion)
    }

    private func error(_ ref: Ref, _ code: ConfigurationProblem.Code, _ message: String, suggestion: String? = nil) {
        report(.error, ref, code, message, suggestion: suggestion)
    }

    private func warning(_ ref: Ref, _ code: ConfigurationProblem.Code, _ message: String, suggestion: String? = nil) {
        report(.warning, ref, code, message, suggestion: suggestion)
    }

    /// The `keys generate` command that creates exactly these two files, when one can.
    static func generateHint(as2ID: String, certificate: String, key: String) -> String {
        let folder = PathResolver.parent(of: key)
        let file = String(key.dropFirst(folder.count + 1))
        let stem = file.hasSuffix(".key") ? String(file.dropLast(4)) : ""
        guard certificate == "\(folder)/\(stem).crt", PartnerNameSyntax.error(in: stem) == nil else {
            return "make a key and certificate with as2-agent keys generate, and name them here"
        }
        let name = stem == PartnerNameSyntax.suggestion(for: as2ID) ? "" : " --name \(stem)"
        return "generate them: as2-agent keys generate --as2-id \(shellQuoted(as2ID)) --out \(folder)\(name)"
    }

    /// `word` for a shell command line, single-quoted unless it is plain.
    static func shellQuoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `2026-11-29` (UTC). One shared format style: a formatter per call cost 2 % of a
    /// 10,000-partner start-up.
    static func day(_ date: Date) -> String { date.formatted(utcDayStyle) }
}
