import AS2Bytes

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
    public static func randomBoundary(prefix: String = "----=_Part_") -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        let random = String((0..<32).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] })
        return String(prefix.prefix(70 - random.count)) + random
    }
}
