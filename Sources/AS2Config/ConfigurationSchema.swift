/// Every table and key agent.conf knows. Unknown-key detection and "did you mean" suggestions
/// read this list; tests check that each key is documented in agent.conf.sample and
/// docs/configuration.md.
public enum ConfigurationSchema {
    /// Tables, in file order; `partner` is an array of tables (`[[partner]]`).
    public static let tables = ["agent", "http", "journal", "folders", "partner"]

    public static let keys: [String: [String]] = [
        "agent": [
            "as2_id", "spool_dir", "state_dir", "certificate", "private_key", "private_key_password_file",
            "pkcs12", "pkcs12_password_file", "previous_private_keys", "previous_certificates",
            "previous_private_key_password_file", "log_level",
        ],
        "http": [
            "listen", "path", "mdn_path", "tls_listen", "tls_certificate", "tls_private_key",
            "tls_private_key_password_file", "tls_client_ca_file", "public_url", "async_mdn_url", "admin_listen",
            "max_header_size", "max_headers_total", "max_header_count", "spool_threshold", "request_timeout",
            "idle_timeout", "max_connections",
        ],
        "journal": ["history_days", "duplicate_days"],
        "folders": ["ignore_prefixes", "ignore_suffixes", "rescan_interval", "send_concurrency"],
        "partner": [
            // identity and certificates
            "name", "as2_id", "url", "certificate", "verify_certificates", "encrypt_certificate",
            // outbound
            "sign", "sign_scheme", "encrypt", "encrypt_key_transport", "compress", "mdn", "mdn_signed", "mdn_micalg",
            "subject", "content_type", "filename_header",
            // inbound
            "require_signature", "require_encryption", "min_sign", "min_encrypt", "allow_expired_certificate",
            "require_signed_mdn", "max_message_size", "max_decompressed_size", "max_compression_ratio",
            "inbound_basic_auth_user", "inbound_basic_auth_password_file", "inbound_tls_client_certificate",
            "async_mdn_return_urls",
            // transport
            "tls_ca_file", "tls_pinned_certificate", "tls_verify_hostname", "tls_client_certificate",
            "tls_client_private_key", "tls_client_private_key_password_file", "basic_auth_user",
            "basic_auth_password_file", "proxy", "connect_timeout", "read_timeout",
            // retries and parallelism
            "retry_count", "retry_interval", "retry_backoff", "retry_max_interval", "async_mdn_timeout",
            "send_concurrency",
            // interop switches
            "resend_new_message_id", "legacy_micalg_names", "payload_transfer_encoding", "chunked",
            "duplicate_document_warning", "include_certificate_in_signature", "case_insensitive_as2_id",
        ],
    ]

    /// The tables other than `section` that know `key`, for "this key belongs in [x]" hints.
    static func tables(knowing key: String, except section: String) -> [String] {
        tables.filter { $0 != section && keys[$0, default: []].contains(key) }
    }

    /// `[agent]`, or `[[partner]]` for the array of tables.
    static func header(_ table: String) -> String { table == "partner" ? "[[partner]]" : "[\(table)]" }
}
