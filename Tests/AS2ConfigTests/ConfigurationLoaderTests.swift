import AS2Protocol
import AS2Crypto
import XCTest

@testable import AS2Config

final class ConfigurationLoaderTests: XCTestCase {
    static let agent = """
        [agent]
        as2_id = "ACME"
        certificate = "keys/acme.crt"
        private_key = "keys/acme.key"

        """

    func testMinimalConfigurationGetsDocumentedDefaults() throws {
        let c = try ConfigurationLoader.load(text: Self.agent, path: "/etc/as2-agent/agent.conf")
        XCTAssertEqual(c.path, "/etc/as2-agent/agent.conf")
        XCTAssertEqual(c.agent.as2ID, "ACME")
        XCTAssertEqual(c.agent.spoolDirectory, "/var/spool/as2-agent")
        XCTAssertEqual(c.agent.stateDirectory, "/var/lib/as2-agent")
        XCTAssertEqual(
            c.agent.identity, .pem(certificate: "/etc/as2-agent/keys/acme.crt", privateKey: "/etc/as2-agent/keys/acme.key", password: nil))
        XCTAssertEqual(c.agent.logLevel, .info)
        XCTAssertEqual(c.http.listen, ListenAddress(host: "0.0.0.0", port: 4080))
        XCTAssertEqual(c.http.adminListen, ListenAddress(host: "127.0.0.1", port: 4081))
        XCTAssertEqual(c.http.path, "/as2")
        XCTAssertEqual(c.http.mdnPath, "/as2/mdn")
        XCTAssertEqual(c.http.maxHeaderSize, 16_384)
        XCTAssertEqual(c.http.maxHeadersTotal, 65_536)
        XCTAssertEqual(c.http.maxHeaderCount, 100)
        XCTAssertEqual(c.http.spoolThreshold, 1_048_576)
        XCTAssertEqual(c.http.requestTimeout, .seconds(600))
        XCTAssertEqual(c.http.idleTimeout, .seconds(60))
        XCTAssertEqual(c.http.maxConnections, 256)
        XCTAssertTrue(c.folders.ignores(fileName: "invoice.PART"))
        XCTAssertTrue(c.folders.ignores(fileName: ".hidden"))
        XCTAssertFalse(c.folders.ignores(fileName: "invoice.edi"))
        XCTAssertNil(c.http.tls)
        XCTAssertNil(c.http.asyncMDNReturnURL)
        XCTAssertEqual(c.journal, JournalSettings(historyDays: 365, duplicateDays: 30))
        XCTAssertEqual(c.folders.ignorePrefixes, ["."])
        XCTAssertEqual(c.folders.ignoreSuffixes, [".tmp", ".part", ".filepart", "~"])
        XCTAssertEqual(c.folders.rescanInterval, .zero)
        XCTAssertEqual(c.folders.sendConcurrency, 4)
        XCTAssertTrue(c.partners.isEmpty)
    }

    func testPartnerDefaultsAreSecure() throws {
        let c = try ConfigurationLoader.load(
            text: Self.agent + """
                [[partner]]
                name = "globex"
                as2_id = "GLOBEX"
                url = "https://as2.globex.example/as2"
                certificate = "/etc/as2-agent/partners/globex.crt"
                """, path: "/etc/as2-agent/agent.conf")
        let p = try XCTUnwrap(c.partner(named: "globex"))
        XCTAssertEqual(p.outbound.sign, .sha256)
        XCTAssertEqual(p.outbound.signatureScheme, .rsaPKCS1v15)
        XCTAssertEqual(p.outbound.encrypt, .aes256CBC)
        XCTAssertEqual(p.outbound.keyTransport, .rsaPKCS1v15)
        XCTAssertEqual(p.outbound.compress, CompressionMode.none)
        XCTAssertEqual(p.outbound.mdn, .sync)
        XCTAssertTrue(p.outbound.mdnSigned)
        XCTAssertEqual(p.outbound.mdnMICAlgorithm, .sha256)
        XCTAssertTrue(p.outbound.filenameHeader)
        XCTAssertTrue(p.inbound.requireSignature)
        XCTAssertTrue(p.inbound.requireEncryption)
        XCTAssertTrue(p.inbound.requireSignedMDN)
        XCTAssertEqual(p.inbound.minimumSignDigest, .sha256)
        XCTAssertEqual(p.inbound.minimumEncryption, .aes128CBC)
        XCTAssertFalse(p.inbound.accepts(DigestAlgorithm.sha1))
        XCTAssertTrue(p.inbound.accepts(ContentEncryptionAlgorithm.aes128GCM))
        XCTAssertFalse(p.inbound.accepts(ContentEncryptionAlgorithm.tripleDES))
        XCTAssertFalse(p.inbound.allowExpiredCertificate)
        XCTAssertEqual(p.inbound.maxMessageSize, 1 << 30)
        XCTAssertEqual(p.inbound.maxDecompressedSize, 2 << 30)
        XCTAssertEqual(p.inbound.maxCompressionRatio, 200)
        XCTAssertTrue(p.transport.tlsVerifyHostname)
        XCTAssertEqual(p.transport.connectTimeout, .seconds(30))
        XCTAssertEqual(p.transport.readTimeout, .seconds(300))
        XCTAssertEqual(p.retry, RetryPolicy(count: 5, interval: .seconds(60), backoff: 2, maxInterval: .seconds(3600), asyncMDNTimeout: .seconds(3600)))
        XCTAssertEqual(p.sendConcurrency, 4)
        XCTAssertEqual(p.interop, InteropSwitches())
        XCTAssertEqual(p.signatureCertificates, ["/etc/as2-agent/partners/globex.crt"])
        XCTAssertEqual(p.encryptionCertificate, "/etc/as2-agent/partners/globex.crt")
        XCTAssertEqual(p.folder(in: c.agent.spoolDirectory), "/var/spool/as2-agent/globex")
        XCTAssertEqual(c.partner(as2ID: "GLOBEX")?.name, "globex")
        XCTAssertNil(c.partner(as2ID: "globex"))
    }

    func testEveryPartnerKeyReachesItsTypedValue() throws {
        let dir = try TemporaryDirectory()
        try dir.write("secrets/out.pass", "s3cret\n")
        try dir.write("secrets/in.pass", "inbound\r\n")
        try dir.write("secrets/tls.pass", "tlspw")
        let path = try dir.write(
            "agent.conf",
            """
            [agent]
            as2_id = "ACME"
            certificate = "k.crt"
            private_key = "k.key"
            [http]
            tls_listen = "127.0.0.1:0"
            tls_certificate = "tls.pem"
            public_url = "https://gw.acme.example/b2b/as2"
            [folders]
            send_concurrency = 7
            [[partner]]
            name = "globex"
            as2_id = "GLOBEX Corp"
            url = "https://as2.globex.example:8443/as2"
            certificate = "p/globex.crt"
            verify_certificates = ["p/globex-new.crt"]
            encrypt_certificate = "p/globex-enc.crt"
            sign = "sha512"
            sign_scheme = "pss"
            encrypt = "aes128-gcm"
            encrypt_key_transport = "oaep"
            compress = "after-signing"
            mdn = "async"
            mdn_signed = false
            mdn_micalg = "sha384"
            subject = "Invoices"
            content_type = "application/edifact"
            filename_header = false
            require_signature = false
            require_encryption = false
            min_sign = "sha1"
            min_encrypt = "3des"
            allow_expired_certificate = true
            require_signed_mdn = false
            max_message_size = "100MB"
            max_decompressed_size = 300000000
            max_compression_ratio = 50
            inbound_basic_auth_user = "globex"
            inbound_basic_auth_password_file = "secrets/in.pass"
            inbound_tls_client_certificate = "p/globex-client.crt"
            async_mdn_return_urls = ["https://mdn.globex.example/r"]
            tls_ca_file = "p/ca.pem"
            tls_pinned_certificate = "p/pin.pem"
            tls_verify_hostname = false
            tls_client_certificate = "k/client.pem"
            tls_client_private_key_password_file = "secrets/tls.pass"
            basic_auth_user = "acme"
            basic_auth_password_file = "secrets/out.pass"
            proxy = "http://proxy.example:3128"
            connect_timeout = 10
            read_timeout = "2m"
            retry_count = 0
            retry_interval = "30s"
            retry_backoff = 1
            retry_max_interval = "2h"
            async_mdn_timeout = "1d"
            resend_new_message_id = true
            legacy_micalg_names = true
            payload_transfer_encoding = "base64"
            chunked = true
            duplicate_document_warning = true
            include_certificate_in_signature = false
            case_insensitive_as2_id = true
            """)
        let c = try ConfigurationLoader.load(path: path)
        let d = dir.path
        XCTAssertEqual(c.http.tls?.certificate, "\(d)/tls.pem")
        XCTAssertEqual(c.http.tls?.privateKey, "\(d)/tls.pem")
        XCTAssertEqual(c.http.asyncMDNReturnURL?.absoluteString, "https://gw.acme.example/b2b/as2/mdn")
        let p = try XCTUnwrap(c.partners.first)
        XCTAssertEqual(p.as2ID, "GLOBEX Corp")
        XCTAssertEqual(p.url.absoluteString, "https://as2.globex.example:8443/as2")
        XCTAssertEqual(p.signatureCertificates, ["\(d)/p/globex.crt", "\(d)/p/globex-new.crt"])
        XCTAssertEqual(p.encryptionCertificate, "\(d)/p/globex-enc.crt")
        XCTAssertEqual(
            p.outbound,
            OutboundPolicy(
                sign: .sha512, signatureScheme: .rsaPSS, encrypt: .aes128GCM, keyTransport: .rsaOAEP, compress: .afterSigning,
                mdn: .async, mdnSigned: false, mdnMICAlgorithm: .sha384, subject: "Invoices", contentType: "application/edifact",
                filenameHeader: false))
        XCTAssertFalse(p.inbound.requireSignature)
        XCTAssertFalse(p.inbound.requireEncryption)
        XCTAssertEqual(p.inbound.minimumSignDigest, .sha1)
        XCTAssertEqual(p.inbound.minimumEncryption, .tripleDES)
        XCTAssertTrue(p.inbound.allowExpiredCertificate)
        XCTAssertFalse(p.inbound.requireSignedMDN)
        XCTAssertEqual(p.inbound.maxMessageSize, 100_000_000)
        XCTAssertEqual(p.inbound.maxDecompressedSize, 300_000_000)
        XCTAssertEqual(p.inbound.maxCompressionRatio, 50)
        XCTAssertEqual(p.inbound.basicAuth, BasicAuthCredentials(user: "globex", password: Secret(path: "\(d)/secrets/in.pass", value: "inbound")))
        XCTAssertEqual(p.inbound.tlsClientCertificate, "\(d)/p/globex-client.crt")
        XCTAssertEqual(p.inbound.asyncMDNReturnURLs.map(\.absoluteString), ["https://mdn.globex.example/r"])
        XCTAssertTrue(p.allowsAsyncMDN(to: URL(string: "https://as2.globex.example:8443/other")!))
        XCTAssertTrue(p.allowsAsyncMDN(to: URL(string: "https://mdn.globex.example/r")!))
        XCTAssertFalse(p.allowsAsyncMDN(to: URL(string: "https://as2.globex.example/as2")!))
        XCTAssertFalse(p.allowsAsyncMDN(to: URL(string: "http://evil.example/")!))
        XCTAssertEqual(
            p.transport,
            TransportSettings(
                tlsCAFile: "\(d)/p/ca.pem", tlsPinnedCertificate: "\(d)/p/pin.pem", tlsVerifyHostname: false,
                tlsClientCertificate: "\(d)/k/client.pem", tlsClientPrivateKey: "\(d)/k/client.pem",
                tlsClientPrivateKeyPassword: Secret(path: "\(d)/secrets/tls.pass", value: "tlspw"),
                basicAuth: BasicAuthCredentials(user: "acme", password: Secret(path: "\(d)/secrets/out.pass", value: "s3cret")),
                proxy: URL(string: "http://proxy.example:3128"), connectTimeout: .seconds(10), readTimeout: .seconds(120)))
        XCTAssertEqual(
            p.retry, RetryPolicy(count: 0, interval: .seconds(30), backoff: 1, maxInterval: .seconds(7200), asyncMDNTimeout: .seconds(86_400)))
        XCTAssertEqual(p.sendConcurrency, 7)
        XCTAssertEqual(
            p.interop,
            InteropSwitches(
                resendNewMessageID: true, legacyMICAlgorithmNames: true, payloadTransferEncoding: .base64, chunked: true,
                duplicateDocumentWarning: true, includeCertificateInSignature: false, caseInsensitiveAS2ID: true))
        XCTAssertEqual(c.partner(as2ID: "globex corp")?.name, "globex")
    }

    func testRelativePathsResolveAgainstTheConfigurationFolder() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "etc/agent.conf",
            """
            [agent]
            as2_id = "ACME"
            spool_dir = "../spool"
            state_dir = "./state/"
            certificate = "/abs/acme.crt"
            private_key = "keys/../keys/acme.key"
            previous_private_keys = ["old/a.key"]
            previous_certificates = ["old/a.crt"]
            """)
        let c = try ConfigurationLoader.load(path: path)
        XCTAssertEqual(c.agent.spoolDirectory, dir.path + "/spool")
        XCTAssertEqual(c.agent.stateDirectory, dir.path + "/etc/state")
        XCTAssertEqual(c.agent.identity, .pem(certificate: "/abs/acme.crt", privateKey: dir.path + "/etc/keys/acme.key", password: nil))
        XCTAssertEqual(c.agent.previousPrivateKeys, [dir.path + "/etc/old/a.key"])
        XCTAssertEqual(c.agent.previousCertificates, [dir.path + "/etc/old/a.crt"])
    }

    func testSecretsComeFromFilesWithoutTrailingNewlines() throws {
        let dir = try TemporaryDirectory()
        try dir.write("key.pass", "correct horse\n\n")
        try dir.write("p12.pass", "p12pw")
        let pemPath = try dir.write("pem.conf", Self.agent + "private_key_password_file = \"key.pass\"\nprevious_private_keys = [\"old.key\"]\n")
        let pem = try ConfigurationLoader.load(path: pemPath)
        let expected = Secret(path: dir.path + "/key.pass", value: "correct horse")
        XCTAssertEqual(pem.agent.identity, .pem(certificate: dir.path + "/keys/acme.crt", privateKey: dir.path + "/keys/acme.key", password: expected))
        XCTAssertEqual(pem.agent.previousPrivateKeyPassword, expected, "previous keys default to the current key's password")
        XCTAssertFalse(expected.description.contains("correct"), "a secret never prints its value")

        let p12Path = try dir.write("p12.conf", "[agent]\nas2_id = \"ACME\"\npkcs12 = \"acme.p12\"\npkcs12_password_file = \"p12.pass\"\n")
        let p12 = try ConfigurationLoader.load(path: p12Path)
        XCTAssertEqual(p12.agent.identity, .pkcs12(path: dir.path + "/acme.p12", password: Secret(path: dir.path + "/p12.pass", value: "p12pw")))
    }

    func testConfigurationPathComesFromOptionThenEnvironmentThenDefault() {
        let env = [ConfigurationLoader.environmentVariable: "/srv/as2/agent.conf"]
        XCTAssertEqual(ConfigurationLoader.resolvePath(explicit: "my.conf", environment: env, currentDirectory: "/home/op"), "/home/op/my.conf")
        XCTAssertEqual(ConfigurationLoader.resolvePath(explicit: nil, environment: env, currentDirectory: "/"), "/srv/as2/agent.conf")
        XCTAssertEqual(ConfigurationLoader.resolvePath(explicit: nil, environment: [:], currentDirectory: "/"), "/etc/as2-agent/agent.conf")
        XCTAssertEqual(
            ConfigurationLoader.resolvePath(explicit: nil, environment: [ConfigurationLoader.environmentVariable: ""], currentDirectory: "/"),
            "/etc/as2-agent/agent.conf")
    }

    func testLoaderRefusesInvalidConfigurationWithEveryError() {
        XCTAssertThrowsError(
            try ConfigurationLoader.load(text: "[agent]\nas2_id = \"\"\nsing = 1\n", path: "/x/agent.conf")
        ) { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            XCTAssertEqual(Set(problems.map(\.code)), [.invalidValue, .unknownKey, .missingKey])
            XCTAssertTrue(problems.allSatisfy { $0.severity == .error })
            XCTAssertTrue("\(error)".contains("/x/agent.conf:3:1: error: agent.sing: unknown key sing in [agent]"), "\(error)")
        }
    }

    func testLoaderReportsAMissingFile() {
        XCTAssertThrowsError(try ConfigurationLoader.load(path: "/nonexistent/agent.conf")) { error in
            let problem = (error as? ConfigurationError)?.problems.first
            XCTAssertEqual(problem?.code, .unreadable)
            XCTAssertEqual(problem?.message, "configuration file not found: /nonexistent/agent.conf")
        }
    }

    func testWarningsDoNotStopTheLoader() throws {
        let c = try ConfigurationLoader.load(text: Self.agent + "[journal]\nhistory_days = 10\nduplicate_days = 20\n", path: "/x/a.conf")
        XCTAssertEqual(c.journal.duplicateDays, 20)
    }
}
