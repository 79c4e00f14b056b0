import AS2Crypto
import AS2Protocol

/// One combination of the interop matrix (issue 2): signature digest × content encryption ×
/// compression position × MDN kind × payload.
public struct MatrixCase: Sendable, CustomStringConvertible {
    public var sign: PeerDigest?
    public var encrypt: PeerCipher?
    public var compression: CompressionMode
    public var signedMDN: Bool
    public var payload: MatrixPayload

    public static let signs: [PeerDigest?] = [nil, .sha1, .sha256, .sha384, .sha512]
    public static let ciphers: [PeerCipher?] = [nil, .tripleDES, .aes128CBC, .aes192CBC, .aes256CBC]
    public static let compressions: [CompressionMode] = [.none, .beforeSigning, .afterSigning]

    public init(sign: PeerDigest?, encrypt: PeerCipher?, compression: CompressionMode, signedMDN: Bool, payload: MatrixPayload) {
        self.sign = sign
        self.encrypt = encrypt
        self.compression = compression
        self.signedMDN = signedMDN
        self.payload = payload
    }

    /// Every combination of the factors for each of `payloads` (5 × 5 × 3 × 2 per payload).
    public static func all(payloads: [MatrixPayload] = MatrixPayload.small) -> [MatrixCase] {
        var cases: [MatrixCase] = []
        for payload in payloads {
            for sign in signs {
                for encrypt in ciphers {
                    for compression in compressions {
                        for signedMDN in [false, true] {
                            cases.append(MatrixCase(sign: sign, encrypt: encrypt, compression: compression, signedMDN: signedMDN, payload: payload))
                        }
                    }
                }
            }
        }
        return cases
    }

    /// An all-pairs subset: 25 cases in which every pair of values of any two factors occurs.
    /// Row (i, j) takes sign i and cipher j; compression (i + j) mod 3 and MDN (i + j) mod 2 then
    /// meet every sign, every cipher and each other (i + j runs over 0…8).
    public static func pairwise(payload: MatrixPayload) -> [MatrixCase] {
        var cases: [MatrixCase] = []
        for i in signs.indices {
            for j in ciphers.indices {
                cases.append(MatrixCase(
                    sign: signs[i], encrypt: ciphers[j], compression: compressions[(i + j) % 3],
                    signedMDN: (i + j) % 2 == 1, payload: payload))
            }
        }
        return cases
    }

    public var description: String {
        "sign=\(sign?.rawValue ?? "none") encrypt=\(encrypt?.rawValue ?? "none") "
            + "compress=\(compression.rawValue) mdn=\(signedMDN ? "signed" : "unsigned") payload=\(payload.rawValue)"
    }

    /// A short identifier usable in file names and Message-IDs.
    public var slug: String {
        "\(sign?.rawValue ?? "nosig")-\(encrypt?.rawValue ?? "noenc")-\(compression.rawValue)-\(signedMDN ? "smdn" : "umdn")-\(payload.rawValue)"
    }

    /// The digest the signed MDN is requested with: the signature digest when there is one (so a
    /// MIC under R-MICALG-1 is the same on both sides), else SHA-256.
    public var mdnDigest: PeerDigest? { signedMDN ? (sign ?? .sha256) : nil }

    public var digest: DigestAlgorithm? { sign.map(\.algorithm) }
    public var cipher: ContentEncryptionAlgorithm? { encrypt.map(\.algorithm) }
    public var mdnDigestAlgorithm: DigestAlgorithm? { mdnDigest.map(\.algorithm) }

    /// Layer names, outermost first, as `MessageLayer.name` spells them.
    public var expectedLayers: [String] {
        var layers: [String] = []
        if encrypt != nil { layers.append("encrypted") }
        switch (sign != nil, compression) {
        case (true, .none): layers.append("signed")
        case (true, .beforeSigning): layers += ["signed", "compressed"]
        case (true, .afterSigning): layers += ["compressed", "signed"]
        case (false, .none): break
        case (false, _): layers.append("compressed")
        }
        return layers
    }
}
