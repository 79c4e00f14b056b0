internal import CAS2OpenSSL

/// OpenSSL 3 keeps RC2, single DES and the old PKCS #12 ciphers in its "legacy" provider; it is
/// loaded (beside the default one) only when a legacy input needs it.
enum LegacyProvider {
    /// True when the legacy provider is available. Loaded once, on first use.
    static let isLoaded: Bool = {
        // Keep the default provider as a fallback (retain_fallbacks = 1).
        OSSL_PROVIDER_try_load(nil, "legacy", 1) != nil
    }()
}
