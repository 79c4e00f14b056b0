import AS2Protocol
import AS2Crypto
import Foundation

extension ConfigurationDecoder {
    /// One `[[partner]]` block; nil when name, as2_id or url is missing or invalid.
    func decodePartner(_ r: TableReader, agent: AgentSettings?, http: HTTPSettings, folders: FolderSettings) -> PartnerConfiguration? {
        let name = r.requiredString("name", example: "\"globex\"")
        if let name, let message = PartnerNameSyntax.error(in: name) {
            r.error("name", .invalidValue, message, suggestion: "for example name = \"\(PartnerNameSyntax.suggestion(for: name))\"")
        }
        let as2ID = r.requiredString("as2_id", example: "\"GLOBEX\"")
        if let as2ID { checkAS2Name(as2ID, r, "as2_id") }
        if !r.has("url") {
            r.error("url", .missingKey, "url is required", suggestion: "add url = \"https://as2.partner.example/as2\"")
        }
        let url = r.url("url")

        let certificate = r.path("certificate")
        let verifyCertificates = r.pathList("verify_certificates") ?? []
        let encryptCertificate = r.path("encrypt_certificate")

        let outbound = decodeOutbound(r)
        let inbound = decodeInbound(r, outbound: outbound)
        let transport = decodeTransport(r)
        let retry = decodeRetry(r)
        let sendConcurrency = r.integer("send_concurrency", in: 1...64) ?? folders.sendConcurrency
        let interop = decodeInterop(r)

        // Certificates the chosen policies need.
        let verifies = inbound.requireSignature || (outbound.mdn != .none && outbound.mdnSigned)
        if let encrypt = outbound.encrypt, !r.has("certificate"), !r.has("encrypt_certificate") {
            r.error(
                "certificate", .missingKey, "encrypt = \"\(encrypt.rawValue)\" needs the partner's certificate",
                suggestion: "add certificate = \"/etc/as2-agent/partners/<partner>.crt\", or set encrypt = \"none\"")
        } else if verifies, !r.has("certificate"), !r.has("verify_certificates") {
            r.error(
                "certificate", .missingKey, "verifying the partner's signatures (on messages and MDNs) needs its certificate",
                suggestion: "add certificate = \"/etc/as2-agent/partners/<partner>.crt\"")
        }

        if outbound.mdn == .async, http.asyncMDNReturnURL == nil {
            r.error(
                "mdn", .conflict, "mdn = \"async\" needs [http] public_url (or async_mdn_url): the partner must know where to send the MDN",
                suggestion: "set public_url in [http], or use mdn = \"sync\"")
        }
        if inbound.tlsClientCertificate != nil, http.tls == nil {
            r.error(
                "inbound_tls_client_certificate", .conflict, "client-certificate authentication needs an HTTPS listener",
                suggestion: "set tls_listen, tls_certificate and tls_client_ca_file in [http]")
        }
        if let url, url.scheme?.lowercased() == "http" {
            let tlsKeys = ["tls_ca_file", "tls_pinned_certificate", "tls_client_certificate", "tls_client_private_key"]
            for key in tlsKeys where r.has(key) {
                r.warning(key, .conflict, "unused: url is http://, not https://")
            }
            if outbound.encrypt == nil {
                r.warning("encrypt", .risky, "payloads travel in clear text: url is http:// and encrypt = \"none\"")
            }
        }
        if let as2ID, let agent, as2ID == agent.as2ID {
            r.warning(
                "as2_id", .risky,
                "same AS2 name as [agent] as2_id: messages with AS2-From equal to AS2-To are rejected (sender-equals-receiver)")
        }
        guard let name, PartnerNameSyntax.error(in: name) == nil, let as2ID, AS2NameSyntax.error(in: as2ID) == nil, let url
        else { return nil }
        return PartnerConfiguration(
            name: name, as2ID: as2ID, url: url, certificate: certificate, verifyCertificates: verifyCertificates,
            encryptCertificate: encryptCertificate, outbound: outbound, inbound: inbound, transport: transport,
            retry: retry, sendConcurrency: sendConcurrency, interop: interop)
    }

    private func decodeOutbound(_ r: TableReader) -> OutboundPolicy {
        let d = OutboundPolicy.default
        var o = d
        o.sign = r.choiceOrNone(
            "sign", DigestAlgorithm.self, allowed: \.isSendable, why: "md5 is accepted on receipt only (see min_sign)") ?? d.sign
        o.signatureScheme = r.choice("sign_scheme", SignatureScheme.self) ?? d.signatureScheme
        o.encrypt = r.choiceOrNone(
            "encrypt", ContentEncryptionAlgorithm.self, allowed: \.isSendable,
            why: "rc2-40-cbc and des-cbc are accepted on receipt only (see min_encrypt)") ?? d.encrypt
        o.keyTransport = r.choice("encrypt_key_transport", KeyTransportAlgorithm.self) ?? d.keyTransport
        o.compress = r.choice("compress", CompressionMode.self) ?? d.compress
        o.mdn = r.choice("mdn", MDNMode.self) ?? d.mdn
        o.mdnSigned = r.bool("mdn_signed") ?? d.mdnSigned
        o.mdnMICAlgorithm =
            r.choice("mdn_micalg", DigestAlgorithm.self, allowed: \.isSendable, why: "md5 is never requested")
            ?? o.sign ?? d.mdnMICAlgorithm
        if let subject = r.string("subject") {
            if subject.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
                o.subject = subject
            } else {
                r.error("subject", .invalidValue, "the subject holds printable ASCII only (no line breaks or control characters)")
            }
        }
        if let contentType = r.string("content_type") {
            if Self.isMediaType(contentType) {
                o.contentType = contentType
            } else {
                r.error(
                    "content_type", .invalidValue, "not a media type: \"\(contentType)\"",
                    suggestion: "write type/subtype, e.g. \"application/edi-x12\", \"application/xml\"")
            }
        }
        o.filenameHeader = r.bool("filename_header") ?? d.filenameHeader
        return o
    }

    private func decodeInbound(_ r: TableReader, outbound: OutboundPolicy) -> PartnerInboundPolicy {
        let d = PartnerInboundPolicy.default
        var i = d
        i.requireSignature = r.bool("require_signature") ?? d.requireSignature
        i.requireEncryption = r.bool("require_encryption") ?? d.requireEncryption
        i.minimumSignDigest = r.choice("min_sign", DigestAlgorithm.self) ?? d.minimumSignDigest
        if i.minimumSignDigest == .md5 {
            r.warning("min_sign", .risky, "md5 signatures are forgeable; accept them only from a partner that cannot do better")
        }
        i.minimumEncryption = r.choice("min_encrypt", ContentEncryptionAlgorithm.self) ?? d.minimumEncryption
        if i.minimumEncryption < .tripleDES {
            r.warning("min_encrypt", .risky, "\(i.minimumEncryption.rawValue) is broken encryption; accept it only from a partner that cannot do better")
        }
        i.allowExpiredCertificate = r.bool("allow_expired_certificate") ?? d.allowExpiredCertificate
        let requireSignedMDN = r.bool("require_signed_mdn")
        if requireSignedMDN == true, !outbound.mdnSigned, outbound.mdn != .none {
            r.error(
                "require_signed_mdn", .conflict, "require_signed_mdn = true but mdn_signed = false: every MDN would be rejected",
                suggestion: "set mdn_signed = true, or require_signed_mdn = false")
        }
        i.requireSignedMDN = requireSignedMDN ?? outbound.mdnSigned
        i.maxMessageSize = r.byteCount("max_message_size", minimum: 1024) ?? d.maxMessageSize
        i.maxDecompressedSize = r.byteCount("max_decompressed_size", minimum: 1024) ?? d.maxDecompressedSize
        i.maxCompressionRatio = r.integer("max_compression_ratio", in: 1...100_000) ?? d.maxCompressionRatio
        i.basicAuth = basicAuth(r, userKey: "inbound_basic_auth_user", passwordKey: "inbound_basic_auth_password_file")
        i.tlsClientCertificate = r.path("inbound_tls_client_certificate")
        i.asyncMDNReturnURLs = r.urlList("async_mdn_return_urls") ?? d.asyncMDNReturnURLs
        return i
    }

    private func decodeTransport(_ r: TableReader) -> TransportSettings {
        let d = TransportSettings.default
        var t = d
        t.tlsCAFile = r.path("tls_ca_file")
        t.tlsPinnedCertificate = r.path("tls_pinned_certificate")
        t.tlsVerifyHostname = r.bool("tls_verify_hostname") ?? d.tlsVerifyHostname
        if !t.tlsVerifyHostname, !r.has("tls_pinned_certificate") {
            r.error(
                "tls_verify_hostname", .conflict, "the host-name check may be turned off only with tls_pinned_certificate",
                suggestion: "pin the partner's TLS certificate, or remove tls_verify_hostname")
        }
        t.tlsClientCertificate = r.path("tls_client_certificate")
        t.tlsClientPrivateKey = r.path("tls_client_private_key") ?? t.tlsClientCertificate
        t.tlsClientPrivateKeyPassword = r.secret("tls_client_private_key_password_file")
        if !r.has("tls_client_certificate") {
            for key in ["tls_client_private_key", "tls_client_private_key_password_file"] where r.has(key) {
                r.error(key, .conflict, "\(key) needs tls_client_certificate", suggestion: "add tls_client_certificate")
            }
        }
        t.basicAuth = basicAuth(r, userKey: "basic_auth_user", passwordKey: "basic_auth_password_file")
        t.proxy = r.url("proxy", schemes: ["http"])
        t.connectTimeout = r.duration("connect_timeout", minimum: .seconds(1)) ?? d.connectTimeout
        t.readTimeout = r.duration("read_timeout", minimum: .seconds(1)) ?? d.readTimeout
        return t
    }

    private func decodeRetry(_ r: TableReader) -> RetryPolicy {
        let d = RetryPolicy.default
        var p = d
        p.count = r.integer("retry_count", in: 0...1000) ?? d.count
        p.interval = r.duration("retry_interval", minimum: .seconds(1)) ?? d.interval
        p.backoff = r.number("retry_backoff", in: 1.0...10.0) ?? d.backoff
        p.maxInterval = r.duration("retry_max_interval", minimum: .seconds(1)) ?? d.maxInterval
        p.asyncMDNTimeout = r.duration("async_mdn_timeout", minimum: .seconds(1)) ?? d.asyncMDNTimeout
        if p.maxInterval < p.interval {
            r.warning(
                "retry_max_interval", .conflict,
                "shorter than retry_interval (\(DurationSyntax.format(p.interval))), so every delay is \(DurationSyntax.format(p.maxInterval))")
        }
        return p
    }

    private func decodeInterop(_ r: TableReader) -> InteropSwitches {
        let d = InteropSwitches.default
        return InteropSwitches(
            resendNewMessageID: r.bool("resend_new_message_id") ?? d.resendNewMessageID,
            legacyMICAlgorithmNames: r.bool("legacy_micalg_names") ?? d.legacyMICAlgorithmNames,
            payloadTransferEncoding: r.choice("payload_transfer_encoding", PayloadTransferEncoding.self)
                ?? d.payloadTransferEncoding,
            chunked: r.bool("chunked") ?? d.chunked,
            duplicateDocumentWarning: r.bool("duplicate_document_warning") ?? d.duplicateDocumentWarning,
            includeCertificateInSignature: r.bool("include_certificate_in_signature") ?? d.includeCertificateInSignature,
            caseInsensitiveAS2ID: r.bool("case_insensitive_as2_id") ?? d.caseInsensitiveAS2ID)
    }

    /// User and password file come together; either alone is an error.
    private func basicAuth(_ r: TableReader, userKey: String, passwordKey: String) -> BasicAuthCredentials? {
        let user = r.string(userKey)
        if let user, user.isEmpty || user.contains(":") || user.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\u{7F}" }) {
            r.error(userKey, .invalidValue, "a basic-auth user name is non-empty and holds no ':' or control characters")
            return nil
        }
        switch (r.has(userKey), r.has(passwordKey)) {
        case (true, false):
            r.error(passwordKey, .missingKey, "\(userKey) needs \(passwordKey)", suggestion: "add \(passwordKey) = \"/etc/as2-agent/secrets/...\"")
            return nil
        case (false, true):
            r.error(userKey, .missingKey, "\(passwordKey) needs \(userKey)")
            return nil
        case (false, false):
            return nil
        case (true, true):
            guard let password = r.secret(passwordKey), let user else { return nil }
            return BasicAuthCredentials(user: user, password: password)
        }
    }

    /// RFC 2045 tspecials: the characters a token may not hold.
    private static let tspecials = Set("()<>@,;:\\\"/[]?=".unicodeScalars)

    /// `type/subtype` of RFC 2045 tokens, optionally followed by `; parameters`.
    static func isMediaType(_ text: String) -> Bool {
        let mediaType = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces)
        let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        let isToken: (Substring) -> Bool = { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !tspecials.contains($0) }
        }
        return parts.count == 2 && isToken(parts[0]) && isToken(parts[1])
            && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }
}
