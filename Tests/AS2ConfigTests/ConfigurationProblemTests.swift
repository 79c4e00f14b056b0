import XCTest

@testable import AS2Config

/// Each check of the decoder: its key path, position, message and suggestion.
final class ConfigurationProblemTests: XCTestCase {
    static let agent = ConfigurationLoaderTests.agent
    static let partner = """
        [[partner]]
        name = "globex"
        as2_id = "GLOBEX"
        url = "https://as2.globex.example/as2"
        certificate = "globex.crt"

        """

    private func problems(_ text: String) -> [ConfigurationProblem] {
        ConfigurationDecoder.decode(text: text, path: "/etc/as2-agent/agent.conf").problems
    }

    /// The single problem at `key`; fails when there is none or several.
    private func problem(_ text: String, at key: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigurationProblem? {
        let all = problems(text)
        let matching = all.filter { $0.keyPath == key }
        XCTAssertEqual(matching.count, 1, "problems at \(key): \(all)", file: file, line: line)
        return matching.first
    }

    func testValidConfigurationHasNoProblems() {
        XCTAssertEqual(problems(Self.agent + Self.partner), [])
    }

    func testSyntaxErrorCarriesTheParsersLineAndColumn() {
        let all = problems("[agent]\nas2_id = \"ACME\"\ncertificate = \"unterminated\n")
        XCTAssertEqual(all.count, 1)
        XCTAssertEqual(all.first?.code, .syntax)
        XCTAssertEqual(all.first?.line, 3)
        XCTAssertNotNil(all.first?.column)
        XCTAssertTrue(all.first?.message.hasPrefix("TOML syntax: ") ?? false)

        let duplicate = problems("[agent]\nas2_id = \"A\"\nas2_id = \"B\"\n")
        XCTAssertEqual(duplicate.first?.code, .syntax)
        XCTAssertEqual(duplicate.first?.line, 3)
    }

    func testUnknownKeyNamesTheClosestKnownKey() throws {
        let p = try XCTUnwrap(problem(Self.agent + Self.partner + "sing = \"sha256\"\n", at: "partner[globex].sing"))
        XCTAssertEqual(p.severity, .error)
        XCTAssertEqual(p.code, .unknownKey)
        XCTAssertEqual(p.message, "unknown key sing in [[partner]]")
        XCTAssertEqual(p.suggestion, "did you mean sign?")
        XCTAssertEqual(p.line, 10)
        XCTAssertEqual(p.column, 1)

        let typo = try XCTUnwrap(problem(Self.agent + "private-key-password_file = \"x\"\n", at: "agent.private-key-password_file"))
        XCTAssertEqual(typo.suggestion, "did you mean private_key_password_file?")
    }

    func testKeyInTheWrongTableSaysWhereItBelongs() throws {
        let p = try XCTUnwrap(problem(Self.agent + "retry_count = 3\n", at: "agent.retry_count"))
        XCTAssertEqual(p.suggestion, "retry_count belongs in [[partner]]")

        let outside = try XCTUnwrap(problem("as2_id = \"ACME\"\n" + Self.agent, at: "as2_id"))
        XCTAssertEqual(outside.message, "key as2_id is outside any table")
        XCTAssertEqual(outside.suggestion, "move it under [agent]")
        XCTAssertEqual(outside.line, 1)
    }

    func testUnknownTableSuggestsTheKnownOne() throws {
        let p = try XCTUnwrap(problem(Self.agent + "[htpp]\nlisten = \"0.0.0.0:80\"\n", at: "htpp"))
        XCTAssertEqual(p.message, "unknown table [htpp]")
        XCTAssertEqual(p.suggestion, "did you mean [http]?")
        XCTAssertEqual(p.line, 5)
    }

    func testPartnerWrittenAsSingleTableIsExplained() throws {
        let p = try XCTUnwrap(problem(Self.agent + "[partner]\nname = \"x\"\n", at: "partner"))
        XCTAssertEqual(p.code, .wrongType)
        XCTAssertEqual(p.suggestion, "write [[partner]] (double brackets) above each partner's keys")
    }

    func testMissingAgentTableAndRequiredKeys() throws {
        let noAgent = problems("[http]\nlisten = \"0.0.0.0:4080\"\n")
        XCTAssertEqual(noAgent.map(\.keyPath), ["agent"])
        XCTAssertEqual(noAgent.first?.message, "the [agent] table is missing")

        let p = try XCTUnwrap(problem("[agent]\ncertificate = \"a\"\nprivate_key = \"b\"\n", at: "agent.as2_id"))
        XCTAssertEqual(p.code, .missingKey)
        XCTAssertEqual(p.message, "as2_id is required")
        XCTAssertEqual(p.line, 1, "a missing key points at its table")

        let partner = problems(Self.agent + "[[partner]]\nname = \"globex\"\ncertificate = \"c\"\n")
        XCTAssertEqual(Set(partner.map(\.keyPath)), ["partner[globex].as2_id", "partner[globex].url"])
    }

    func testWrongTypesSayWhatWasExpected() throws {
        let p = try XCTUnwrap(problem(Self.agent + Self.partner + "mdn_signed = \"yes\"\n", at: "partner[globex].mdn_signed"))
        XCTAssertEqual(p.code, .wrongType)
        XCTAssertEqual(p.message, "expected a boolean, found a string")

        let quoted = try XCTUnwrap(problem(Self.agent + Self.partner + "chunked = \"true\"\n", at: "partner[globex].chunked"))
        XCTAssertEqual(quoted.suggestion, "write chunked = true without quotes")

        let number = try XCTUnwrap(problem(Self.agent + Self.partner + "retry_count = \"5\"\n", at: "partner[globex].retry_count"))
        XCTAssertEqual(number.message, "expected an integer, found a string")

        let list = try XCTUnwrap(problem(Self.agent + "previous_private_keys = \"old.key\"\n", at: "agent.previous_private_keys"))
        XCTAssertEqual(list.suggestion, "write previous_private_keys = [\"old.key\"]")
    }

    func testEnumValuesAreCheckedWithSuggestions() throws {
        let p = try XCTUnwrap(problem(Self.agent + Self.partner + "sign = \"sha-256\"\n", at: "partner[globex].sign"))
        XCTAssertEqual(p.code, .invalidValue)
        XCTAssertEqual(p.message, "unknown value \"sha-256\"; expected one of: none, sha1, sha224, sha256, sha384, sha512")
        XCTAssertEqual(p.suggestion, "did you mean \"sha256\"?")

        let upper = try XCTUnwrap(problem(Self.agent + Self.partner + "encrypt = \"AES256-CBC\"\n", at: "partner[globex].encrypt"))
        XCTAssertEqual(upper.suggestion, "did you mean \"aes256-cbc\"?")

        let prefix = try XCTUnwrap(problem(Self.agent + Self.partner + "encrypt = \"aes256\"\n", at: "partner[globex].encrypt"))
        XCTAssertEqual(prefix.suggestion, "did you mean \"aes256-cbc\"?")

        let mdn = try XCTUnwrap(problem(Self.agent + Self.partner + "mdn = \"asynchronous\"\n", at: "partner[globex].mdn"))
        XCTAssertEqual(mdn.message, "unknown value \"asynchronous\"; expected one of: none, sync, async")

        let level = try XCTUnwrap(problem(Self.agent + "log_level = \"verbose\"\n", at: "agent.log_level"))
        XCTAssertTrue(level.message.contains("trace, debug, info, notice, warning, error, critical"))
    }

    func testReceiveOnlyAlgorithmsAreRefusedForSending() throws {
        let md5 = try XCTUnwrap(problem(Self.agent + Self.partner + "sign = \"md5\"\n", at: "partner[globex].sign"))
        XCTAssertEqual(md5.message, "\"md5\" is not allowed here: md5 is accepted on receipt only (see min_sign)")
        let rc2 = try XCTUnwrap(problem(Self.agent + Self.partner + "encrypt = \"rc2-40-cbc\"\n", at: "partner[globex].encrypt"))
        XCTAssertTrue(rc2.message.hasPrefix("\"rc2-40-cbc\" is not allowed here"))
        // ... but they may be accepted on receipt, with a warning.
        let weak = problems(Self.agent + Self.partner + "min_sign = \"md5\"\nmin_encrypt = \"rc2-40-cbc\"\n")
        XCTAssertEqual(weak.map(\.severity), [.warning, .warning])
        XCTAssertEqual(weak.map(\.code), [.risky, .risky])
    }

    func testDurationsSizesAndRanges() throws {
        let d = try XCTUnwrap(problem(Self.agent + Self.partner + "retry_interval = \"5 minutes\"\n", at: "partner[globex].retry_interval"))
        XCTAssertEqual(d.message, "not a duration: \"5 minutes\"")
        let s = try XCTUnwrap(problem(Self.agent + Self.partner + "max_message_size = \"1 gigabyte\"\n", at: "partner[globex].max_message_size"))
        XCTAssertEqual(s.message, "not a size: \"1 gigabyte\"")
        let r = try XCTUnwrap(problem(Self.agent + Self.partner + "send_concurrency = 0\n", at: "partner[globex].send_concurrency"))
        XCTAssertEqual(r.message, "0 is out of range 1…64")
        let b = try XCTUnwrap(problem(Self.agent + Self.partner + "retry_backoff = 0.5\n", at: "partner[globex].retry_backoff"))
        XCTAssertEqual(b.message, "0.5 is out of range 1.0…10.0")
        let rescan = try XCTUnwrap(problem(Self.agent + "[folders]\nrescan_interval = \"100ms\"\n", at: "folders.rescan_interval"))
        XCTAssertEqual(rescan.message, "must be 0 (off) or at least 1s")
        let empty = try XCTUnwrap(problem(Self.agent + "[folders]\nignore_suffixes = [\"\"]\n", at: "folders.ignore_suffixes"))
        XCTAssertEqual(empty.message, "an empty string would ignore every file")
    }

    func testAS2IdentifiersFollowRFC4130() throws {
        let long = String(repeating: "A", count: 129)
        let p = try XCTUnwrap(problem(Self.agent.replacingOccurrences(of: "\"ACME\"", with: "\"\(long)\""), at: "agent.as2_id"))
        XCTAssertEqual(p.message, "an AS2 name has at most 128 characters (RFC 4130 §6.2); this one has 129")
        let accented = try XCTUnwrap(
            problem(Self.agent + Self.partner.replacingOccurrences(of: "\"GLOBEX\"", with: "\"GLÖBEX\""), at: "partner[globex].as2_id"))
        XCTAssertEqual(accented.message, "an AS2 name holds printable ASCII only (RFC 4130 §6.2); found U+D6")
        let quoted = try XCTUnwrap(
            problem(Self.agent + Self.partner.replacingOccurrences(of: "\"GLOBEX\"", with: "'\"GLOBEX\"'"), at: "partner[globex].as2_id"))
        XCTAssertEqual(quoted.severity, .warning)
        let same = try XCTUnwrap(
            problem(Self.agent + Self.partner.replacingOccurrences(of: "\"GLOBEX\"", with: "\"ACME\""), at: "partner[globex].as2_id"))
        XCTAssertEqual(same.severity, .warning)
        XCTAssertTrue(same.message.contains("sender-equals-receiver"))
    }

    func testPartnerNamesMustBeFolderSafeAndUnique() throws {
        let p = try XCTUnwrap(
            problem(Self.agent + Self.partner.replacingOccurrences(of: "\"globex\"", with: "\"Globex Corp\""), at: "partner[Globex Corp].name"))
        XCTAssertEqual(p.message, "a partner name starts with a lowercase letter or a digit ([a-z0-9][a-z0-9._-]*)")
        XCTAssertEqual(p.suggestion, "for example name = \"globex-corp\"")

        let twice = Self.agent + Self.partner + Self.partner.replacingOccurrences(of: "\"GLOBEX\"", with: "\"GLOBEX2\"")
        let dup = try XCTUnwrap(problem(twice, at: "partner[globex].name"))
        XCTAssertEqual(dup.code, .duplicate)
        XCTAssertEqual(dup.line, 11)
        XCTAssertEqual(dup.message, "partner name \"globex\" is already used by an earlier partner (line 5)")

        let sameID = Self.agent + Self.partner + Self.partner.replacingOccurrences(of: "\"globex\"", with: "\"globex2\"")
        XCTAssertEqual(problem(sameID, at: "partner[globex2].as2_id")?.code, .duplicate)

        let caseOnly = Self.agent + Self.partner
            + Self.partner.replacingOccurrences(of: "\"globex\"", with: "\"g2\"").replacingOccurrences(of: "\"GLOBEX\"", with: "\"globex\"")
        XCTAssertEqual(problems(caseOnly), [], "AS2 names are case-sensitive")
        XCTAssertEqual(problem(caseOnly + "case_insensitive_as2_id = true\n", at: "partner[g2].as2_id")?.code, .duplicate)
    }

    func testURLsAreAbsoluteHTTPWithoutCredentials() throws {
        func urlProblem(_ url: String) -> ConfigurationProblem? {
            problem(Self.agent + Self.partner.replacingOccurrences(of: "https://as2.globex.example/as2", with: url), at: "partner[globex].url")
        }
        XCTAssertEqual(urlProblem("ftp://as2.globex.example/")?.message, "unsupported URL scheme \"ftp\" in \"ftp://as2.globex.example/\"")
        XCTAssertEqual(urlProblem("as2.globex.example/as2")?.code, .invalidValue)
        XCTAssertEqual(urlProblem("https://user:pw@as2.globex.example/as2")?.suggestion, "use basic_auth_user and basic_auth_password_file")
        XCTAssertEqual(urlProblem("https://as2.globex .example/")?.message, "not a valid URL: \"https://as2.globex .example/\"")
        XCTAssertEqual(urlProblem("https:///as2")?.message, "URL without a host: \"https:///as2\"")
        let plain = problems(Self.agent + Self.partner.replacingOccurrences(of: "https://", with: "http://") + "encrypt = \"none\"\n")
        XCTAssertEqual(plain.map(\.code), [.risky])
    }

    func testContradictoryKeysAreReported() throws {
        let async = try XCTUnwrap(problem(Self.agent + Self.partner + "mdn = \"async\"\n", at: "partner[globex].mdn"))
        XCTAssertEqual(async.code, .conflict)
        XCTAssertTrue(async.message.hasPrefix("mdn = \"async\" needs [http] public_url"))

        let signedMDN = try XCTUnwrap(
            problem(Self.agent + Self.partner + "mdn_signed = false\nrequire_signed_mdn = true\n", at: "partner[globex].require_signed_mdn"))
        XCTAssertEqual(signedMDN.message, "require_signed_mdn = true but mdn_signed = false: every MDN would be rejected")
        let unsignedMDN = try ConfigurationLoader.load(text: Self.agent + Self.partner + "mdn_signed = false\n", path: "/x/a.conf")
        XCTAssertFalse(unsignedMDN.partners[0].inbound.requireSignedMDN, "require_signed_mdn follows mdn_signed")

        let hostname = try XCTUnwrap(problem(Self.agent + Self.partner + "tls_verify_hostname = false\n", at: "partner[globex].tls_verify_hostname"))
        XCTAssertEqual(hostname.message, "the host-name check may be turned off only with tls_pinned_certificate")

        let basic = try XCTUnwrap(problem(Self.agent + Self.partner + "basic_auth_user = \"acme\"\n", at: "partner[globex].basic_auth_password_file"))
        XCTAssertEqual(basic.code, .missingKey)

        let clientCert = try XCTUnwrap(
            problem(Self.agent + Self.partner + "inbound_tls_client_certificate = \"c.pem\"\n", at: "partner[globex].inbound_tls_client_certificate"))
        XCTAssertEqual(clientCert.message, "client-certificate authentication needs an HTTPS listener")

        let key = try XCTUnwrap(problem(Self.agent + "pkcs12 = \"a.p12\"\n", at: "agent.pkcs12"))
        XCTAssertEqual(key.message, "set either pkcs12 or certificate + private_key, not both")
    }

    func testPartnerCertificateIsRequiredWhenPoliciesNeedIt() throws {
        let withoutCertificate = Self.partner.replacingOccurrences(of: "certificate = \"globex.crt\"\n", with: "")
        let p = try XCTUnwrap(problem(Self.agent + withoutCertificate, at: "partner[globex].certificate"))
        XCTAssertEqual(p.message, "encrypt = \"aes256-cbc\" needs the partner's certificate")
        let verify = try XCTUnwrap(problem(Self.agent + withoutCertificate + "encrypt = \"none\"\n", at: "partner[globex].certificate"))
        XCTAssertEqual(verify.message, "verifying the partner's signatures (on messages and MDNs) needs its certificate")
        let none = "encrypt = \"none\"\nrequire_signature = false\nmdn_signed = false\n"
        XCTAssertEqual(problems(Self.agent + withoutCertificate + none), [])
    }

    func testListenersMustNotClash() throws {
        let p = try XCTUnwrap(problem(Self.agent + "[http]\nlisten = \"0.0.0.0:4080\"\nadmin_listen = \"127.0.0.1:4080\"\n", at: "http.admin_listen"))
        XCTAssertEqual(p.message, "127.0.0.1:4080 clashes with listen (0.0.0.0:4080)")
        let off = try XCTUnwrap(problem(Self.agent + "[http]\nlisten = \"\"\n", at: "http.listen"))
        XCTAssertEqual(off.message, "no listener: listen is off and tls_listen is not set")
        let bad = try XCTUnwrap(problem(Self.agent + "[http]\nlisten = \"4080\"\n", at: "http.listen"))
        XCTAssertEqual(bad.message, "not a host:port address: \"4080\"")
        let tls = try XCTUnwrap(problem(Self.agent + "[http]\ntls_listen = \"0.0.0.0:4443\"\n", at: "http.tls_certificate"))
        XCTAssertEqual(tls.code, .missingKey)
    }

    func testSecretFileProblems() throws {
        let dir = try TemporaryDirectory()
        try dir.write("empty.pass", "\n")
        try dir.write("open.pass", "pw\n", mode: 0o644)
        func secretProblems(_ file: String) -> [ConfigurationProblem] {
            ConfigurationDecoder.decode(text: Self.agent + "private_key_password_file = \"\(file)\"\n", path: dir.path + "/agent.conf").problems
        }
        let missing = secretProblems("nope.pass")
        XCTAssertEqual(missing.map(\.code), [.secret])
        XCTAssertEqual(missing.first?.message, "cannot read \(dir.path)/nope.pass: No such file or directory")
        XCTAssertEqual(secretProblems("empty.pass").first?.message, "\(dir.path)/empty.pass is empty")
        let open = secretProblems("open.pass")
        XCTAssertEqual(open.map(\.severity), [.warning])
        XCTAssertEqual(open.first?.suggestion, "chmod o-rwx \(dir.path)/open.pass")
    }

    func testProblemsComeInFileOrder() {
        let text = Self.agent + "zzz = 1\n" + Self.partner + "aaa = 1\nsign = \"x\"\n"
        let lines = problems(text).compactMap(\.line)
        XCTAssertEqual(lines, lines.sorted())
        XCTAssertEqual(lines.count, 3)
    }
}
