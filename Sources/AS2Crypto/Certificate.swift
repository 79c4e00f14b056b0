import AS2Bytes
import Foundation
import Synchronization
internal import CAS2OpenSSL

/// An X.509 certificate (ours or a partner's). Compared and hashed by its DER encoding.
///
/// `@unchecked Sendable`: an immutable owner of one `X509`; OpenSSL allows concurrent reads of a
/// certificate (its lazily computed extension cache is lock-protected). Our own cache of derived
/// values is behind a `Mutex`.
public final class Certificate: @unchecked Sendable, Hashable, CustomStringConvertible {
    private let x509: OpaquePointer
    /// The DER encoding, exactly as loaded.
    public let der: [UInt8]
    /// Values derived from the certificate, each computed on first use and kept: every message
    /// names its certificates by fingerprint and checks their validity, while start-up loads
    /// thousands of certificates that are never asked.
    private let derived = Mutex(Derived())

    private struct Derived {
        var sha256Fingerprint: String?
        var validity: (notBefore: Date, notAfter: Date)?
    }

    /// Takes ownership of `x509`.
    init(taking x509: OpaquePointer) throws {
        self.x509 = x509
        do {
            self.der = try DEREncoding.encode("certificate") { i2d_X509(x509, $0) }
        } catch {
            X509_free(x509)
            throw error
        }
    }

    /// Shares `x509` (takes a new reference on it).
    convenience init(borrowing x509: OpaquePointer) throws {
        X509_up_ref(x509)
        try self.init(taking: x509)
    }

    deinit { X509_free(x509) }

    /// Runs `body` with the `X509` pointer, keeping this owner alive for the call.
    func withX509<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(x509) }
    }

    // MARK: Loading

    /// Loads every certificate of a PEM file (one or many), the single certificate of a DER file,
    /// or the certificates of a PKCS #7 bundle (.p7b/.p7c, PEM or DER).
    public static func load(fromFile path: String) throws -> [Certificate] {
        let bytes = try readFile(path, limit: 16 << 20)
        if looksLikePEM(bytes) { return try load(pem: bytes) }
        do {
            return [try load(der: bytes)]
        } catch let error as CryptoError {
            if let bundle = try? loadBundle(der: bytes), !bundle.isEmpty { return bundle }
            throw error
        }
    }

    /// Loads every `CERTIFICATE` block of PEM text, in order.
    public static func load(pem: [UInt8]) throws -> [Certificate] {
        OpenSSLErrorQueue.clear()
        let bio = try MemoryBIO(pem)
        var certificates: [Certificate] = []
        while let x509 = bio.withBIO({ PEM_read_bio_X509($0, nil, nil, nil) }) {
            certificates.append(try Certificate(taking: x509))
        }
        // The loop ends on "no start line"; only a failure before any certificate is an error.
        var queue = OpenSSLErrorQueue.drain()
        if certificates.isEmpty {
            // A PEM PKCS #7 bundle ("-----BEGIN PKCS7-----") holds its certificates inside.
            if let der = pemBlock(pem, label: "PKCS7"), let bundle = try? loadBundle(der: der) {
                certificates = bundle
            }
            queue = OpenSSLErrorQueue.drain()
        }
        guard !certificates.isEmpty else {
            throw CryptoError(.malformedInput, "no PEM certificate found\(queue.isEmpty ? "" : ": \(queue)")")
        }
        return certificates
    }

    /// Loads one DER-encoded certificate; trailing bytes are refused.
    public static func load(der: [UInt8]) throws -> Certificate {
        OpenSSLErrorQueue.clear()
        var consumed = 0
        let x509 = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            guard let base = buffer.baseAddress else { return nil }
            var p: UnsafePointer<UInt8>? = base
            let x = d2i_X509(nil, &p, buffer.count)
            consumed = p.map { $0 - base } ?? 0
            return x
        }
        guard let x509 else { throw CryptoError.openssl(.malformedInput, "not a DER X.509 certificate") }
        let certificate = try Certificate(taking: x509)
        guard consumed == der.count else { throw CryptoError(.malformedInput, "trailing bytes after the DER certificate") }
        return certificate
    }

    /// The certificates of a DER PKCS #7 / CMS SignedData bundle.
    static func loadBundle(der: [UInt8]) throws -> [Certificate] {
        OpenSSLErrorQueue.clear()
        guard let handle = ContentInfoHandle(parsing: der) else {
            throw CryptoError.openssl(.malformedInput, "not a PKCS #7 certificate bundle")
        }
        return try certificatesOf(handle)
    }

    /// The decoded body of the first PEM block labelled `label`.
    private static func pemBlock(_ pem: [UInt8], label: String) -> [UInt8]? {
        let text = String(decoding: pem, as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN \(label)-----"),
            let end = text.range(of: "-----END \(label)-----", range: begin.upperBound..<text.endIndex),
            let data = Data(base64Encoded: String(text[begin.upperBound..<end.lowerBound]), options: .ignoreUnknownCharacters)
        else { return nil }
        return Array(data)
    }

    private static func certificatesOf(_ handle: ContentInfoHandle) throws -> [Certificate] {
        try handle.withCMS { cms -> [Certificate] in
            guard let stack = CMS_get1_certs(cms) else { return [] }
            defer { as2_sk_X509_pop_free(stack) }
            return try (0..<as2_sk_X509_num(stack)).compactMap { i in
                try as2_sk_X509_value(stack, i).map { try Certificate(borrowing: $0) }
            }
        }
    }

    // MARK: Encodings

    /// PEM text (`-----BEGIN CERTIFICATE-----`, 64-column base64, LF line ends).
    public var pem: String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
    }

    /// SHA-256 over the DER, lowercase hex pairs joined by colons ("ab:cd:…").
    public var sha256Fingerprint: String {
        derived.withLock { d in
            if let known = d.sha256Fingerprint { return known }
            let text = Self.fingerprint((try? Digest.compute(.sha256, over: der)) ?? [])
            d.sha256Fingerprint = text
            return text
        }
    }

    /// Lowercase hex pairs joined by colons.
    static func fingerprint(_ digest: [UInt8]) -> String { Hex.encode(digest, separator: UInt8(ascii: ":")) }

    // MARK: Names and numbers

    /// Subject distinguished name, RFC 2253 one-line form ("CN=…,O=…").
    public var subject: String { withX509 { Self.format(X509_get_subject_name($0)) } }
    /// Issuer distinguished name, RFC 2253 one-line form.
    public var issuer: String { withX509 { Self.format(X509_get_issuer_name($0)) } }

    /// The subject's (last) common name, if it has one.
    public var commonName: String? {
        withX509 { x509 -> String? in
            guard let name = X509_get_subject_name(x509) else { return nil }
            var index: Int32 = -1
            var last: Int32 = -1
            while true {
                index = X509_NAME_get_index_by_NID(name, NID_commonName, index)
                if index < 0 { break }
                last = index
            }
            guard last >= 0, let entry = X509_NAME_get_entry(name, last),
                let data = X509_NAME_ENTRY_get_data(entry)
            else { return nil }
            var utf8: UnsafeMutablePointer<UInt8>?
            let n = ASN1_STRING_to_UTF8(&utf8, data)
            guard n >= 0, let utf8 else { return nil }
            defer { as2_OPENSSL_free(utf8) }
            return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(n)), as: UTF8.self)
        }
    }

    /// Serial number in lowercase hex without separators ("-" first when negative).
    public var serialNumberHex: String {
        withX509 { x509 -> String in
            guard let serial = X509_get0_serialNumber(x509), let bn = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
            defer { BN_free(bn) }
            guard let hex = BN_bn2hex(bn) else { return "" }
            defer { as2_OPENSSL_free(hex) }
            return String(cString: hex).lowercased()
        }
    }


    /// Start of the validity period.
    public var notBefore: Date { validity.notBefore }
    /// End of the validity period.
    public var notAfter: Date { validity.notAfter }

    private var validity: (notBefore: Date, notAfter: Date) {
        derived.withLock { d in
            if let known = d.validity { return known }
            let dates = withX509 { (Self.date(X509_get0_notBefore($0)), Self.date(X509_get0_notAfter($0))) }
            d.validity = dates
            return dates
        }
    }

    /// True when `date` lies within the validity period (bounds included).
    public func isValid(at date: Date) -> Bool {
        let (notBefore, notAfter) = validity
        return notBefore <= date && date <= notAfter
    }

    /// Issued by itself and signed by its own key.
    public var isSelfSigned: Bool { withX509 { X509_self_signed($0, 1) == 1 } }

    /// Key usage bits by their RFC 5280 names; empty when the extension is absent.
    public var keyUsage: [String] {
        withX509 { x509 -> [String] in
            let bits = X509_get_key_usage(x509)
            guard bits != UInt32.max else { return [] }
            let names: [(UInt32, String)] = [
                (UInt32(KU_DIGITAL_SIGNATURE), "digitalSignature"), (UInt32(KU_NON_REPUDIATION), "nonRepudiation"),
                (UInt32(KU_KEY_ENCIPHERMENT), "keyEncipherment"), (UInt32(KU_DATA_ENCIPHERMENT), "dataEncipherment"),
                (UInt32(KU_KEY_AGREEMENT), "keyAgreement"), (UInt32(KU_KEY_CERT_SIGN), "keyCertSign"),
                (UInt32(KU_CRL_SIGN), "cRLSign"), (UInt32(KU_ENCIPHER_ONLY), "encipherOnly"),
                (UInt32(KU_DECIPHER_ONLY), "decipherOnly"),
            ]
            return names.filter { bits & $0.0 != 0 }.map(\.1)
        }
    }

    /// Extended key usage purposes by OpenSSL short name ("serverAuth", "clientAuth",
    /// "emailProtection", …) or dotted OID; empty when the extension is absent.
    public var extendedKeyUsage: [String] {
        withX509 { x509 -> [String] in
            guard let raw = X509_get_ext_d2i(x509, NID_ext_key_usage, nil, nil) else { return [] }
            let stack = OpaquePointer(raw)
            defer { EXTENDED_KEY_USAGE_free(stack) }
            return (0..<as2_sk_ASN1_OBJECT_num(stack)).map { i in
                let object = as2_sk_ASN1_OBJECT_value(stack, i)
                let nid = OBJ_obj2nid(object)
                if nid != NID_undef, let sn = OBJ_nid2sn(nid) { return String(cString: sn) }
                return dottedOID(object)
            }
        }
    }

    /// Algorithm and size of the public key, e.g. "RSA 2048", "EC 256", "ED25519 256".
    public var publicKeyDescription: String {
        withX509 { x509 -> String in
            guard let key = X509_get0_pubkey(x509) else { return "unknown" }
            return "\(keyTypeName(key)) \(EVP_PKEY_get_bits(key))"
        }
    }

    /// Size of the public key in bits.
    public var publicKeyBits: Int {
        withX509 { x509 in X509_get0_pubkey(x509).map { Int(EVP_PKEY_get_bits($0)) } ?? 0 }
    }

    /// The subjectKeyIdentifier extension, if present.
    public var subjectKeyIdentifier: [UInt8]? {
        withX509 { x509 -> [UInt8]? in
            guard let ski = X509_get0_subject_key_id(x509) else { return nil }
            return asn1StringBytes(ski)
        }
    }

    public var description: String { "\(subject) (serial \(serialNumberHex), SHA-256 \(sha256Fingerprint))" }

    public static func == (a: Certificate, b: Certificate) -> Bool { a.der == b.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }

    // MARK: Helpers

    static func format(_ name: OpaquePointer?) -> String {
        guard let name, let bio = try? MemoryBIO() else { return "" }
        _ = bio.withBIO { X509_NAME_print_ex($0, name, 0, as2_XN_FLAG_RFC2253_UTF8()) }
        return bio.string
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        var tm = tm()
        guard let time, ASN1_TIME_to_tm(time, &tm) == 1 else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&tm)))
    }
}
