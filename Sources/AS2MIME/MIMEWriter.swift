import AS2Bytes
#if canImport(Glibc)
import Glibc
#endif

/// Builds MIME entities as concatenations of small header buffers and existing sources, so a
/// large payload is never copied.
public enum MIMEWriter {
    /// `headers` (each line CRLF-terminated), an empty line, then `body`.
    public static func entity(headers: MIMEHeaders, body: some ByteSource) -> ConcatenatedByteSource {
        ConcatenatedByteSource([MemoryByteSource(headers.serialized() + [13, 10]), body])
    }

    /// A multipart body: `[preamble CRLF] "--b" CRLF part CRLF "--b" CRLF part … CRLF "--b--" CRLF`.
    /// Each part is a complete entity (headers, empty line, body). The boundary must not occur in
    /// any part; `randomBoundary()` makes that certain in practice.
    public static func multipart(boundary: String, parts: [any ByteSource], preamble: String? = nil) -> ConcatenatedByteSource {
        var pieces: [any ByteSource] = []
        var pending = preamble.map { $0 + "\r\n" } ?? ""
        for (i, part) in parts.enumerated() {
            pending += (i == 0 ? "" : "\r\n") + "--\(boundary)\r\n"
            pieces.append(MemoryByteSource(pending))
            pieces.append(part)
            pending = ""
        }
        pending += (parts.isEmpty ? "" : "\r\n") + "--\(boundary)--\r\n"
        pieces.append(MemoryByteSource(pending))
        return ConcatenatedByteSource(pieces)
    }

    /// A fresh boundary: `prefix` followed by 32 random letters and digits (190 bits), at most 70
    /// characters (RFC 2046 §5.1.1). `ContentType.headerValue` quotes it (the default prefix has `=`).
    /// The randomness comes from one `arc4random_buf` call (one `getrandom`), not one per character.
    public static func randomBoundary(prefix: String = "----=_Part_") -> String {
        let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        // Bytes below 248 (4 × 62) map to the alphabet without bias; the rest are skipped.
        let unbiased = UInt8(256 - 256 % alphabet.count)
        var characters: [UInt8] = []
        characters.reserveCapacity(32)
        var random = [UInt8](repeating: 0, count: 40)
        while characters.count < 32 {
            random.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
            for b in random where b < unbiased && characters.count < 32 {
                characters.append(alphabet[Int(b) % alphabet.count])
            }
        }
        return String(prefix.prefix(70 - characters.count)) + String(decoding: characters, as: UTF8.self)
    }
}
