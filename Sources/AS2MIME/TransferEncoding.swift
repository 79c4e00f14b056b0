import AS2Bytes

/// Content-Transfer-Encoding codecs (RFC 2045 §6). Decoding is for extracting content only:
/// digests and signatures always run over the encoded bytes as received.
public enum TransferEncoding {
    /// Streams the base64 text of `source` into `sink`, decoded. Strict (requirements R-CTE-4):
    /// CR, LF, SP and TAB are skipped; any other character outside the alphabet, misplaced or
    /// missing padding, or data after the padding throws `.invalidBase64`.
    public static func decodeBase64(_ source: some ByteSource, to sink: some ByteSink) throws {
        var decoder = Base64Decoder()
        var out: [UInt8] = []
        out.reserveCapacity(defaultChunkSize / 4 * 3 + 3)
        try source.forEachChunk { chunk in
            out.removeAll(keepingCapacity: true)
            try decoder.feed(chunk, into: &out)
            if !out.isEmpty { try sink.write(out) }
        }
        try decoder.finish()
    }

    /// Decodes base64 text with the same strict rules.
    public static func decodeBase64(_ s: String) throws -> [UInt8] {
        var decoder = Base64Decoder()
        var out: [UInt8] = []
        try decoder.feed(Array(s.utf8), into: &out)
        try decoder.finish()
        return out
    }

    /// Streams `source` into `sink` as base64 in lines of `lineLength` characters separated by
    /// CRLF (no line end after the last line; `lineLength <= 0` writes one line).
    public static func encodeBase64(_ source: some ByteSource, to sink: some ByteSink, lineLength: Int = 76) throws {
        var encoder = Base64Encoder(lineLength: lineLength)
        var out: [UInt8] = []
        try source.forEachChunk { chunk in
            out.removeAll(keepingCapacity: true)
            encoder.feed(chunk, into: &out)
            if !out.isEmpty { try sink.write(out) }
        }
        out.removeAll(keepingCapacity: true)
        encoder.finish(into: &out)
        if !out.isEmpty { try sink.write(out) }
    }

    /// `bytes` as base64, in CRLF-separated lines of `lineLength` characters, or one line when nil.
    public static func encodeBase64(_ bytes: [UInt8], lineLength: Int? = 76) -> String {
        var encoder = Base64Encoder(lineLength: lineLength ?? 0)
        var out: [UInt8] = []
        encoder.feed(bytes, into: &out)
        encoder.finish(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// True when `source` (up to `limit` bytes) holds only base64 characters and line whitespace:
    /// a signature part without a CTE that was base64-encoded anyway (requirements R-CTE-3).
    public static func looksLikeBase64(_ source: some ByteSource, limit: Int = 64 * 1024) throws -> Bool {
        let head = try source.read(at: 0, length: Swift.min(limit, source.count))
        guard !head.isEmpty else { return false }
        return head.allSatisfy { Base64Decoder.table[Int($0)] != Base64Decoder.invalid }
    }

    /// Streams quoted-printable text of `source` into `sink`, decoded (RFC 2045 §6.7): `=XX`
    /// escapes, soft line breaks (also with whitespace after the `=`), trailing whitespace of a
    /// line removed, line ends kept. An `=` not followed by two hex digits or a line end throws
    /// `.invalidQuotedPrintable`.
    public static func decodeQuotedPrintable(_ source: some ByteSource, to sink: some ByteSink) throws {
        var decoder = QuotedPrintableDecoder()
        var out: [UInt8] = []
        try source.forEachChunk { chunk in
            out.removeAll(keepingCapacity: true)
            try decoder.feed(chunk, into: &out)
            if !out.isEmpty { try sink.write(out) }
        }
        out.removeAll(keepingCapacity: true)
        try decoder.finish(into: &out)
        if !out.isEmpty { try sink.write(out) }
    }

    /// Streams `entity`'s body into `sink`, decoded by its Content-Transfer-Encoding: none, `binary`,
    /// `7bit`, `8bit` are copied; `base64` and `quoted-printable` decoded; anything else throws
    /// `.unsupportedTransferEncoding`.
    public static func decode(_ entity: MIMEEntity, to sink: some ByteSink) throws {
        try decode(entity.body, transferEncoding: entity.transferEncoding, to: sink)
    }

    /// Streams `body` into `sink`, decoded per `transferEncoding` (nil = binary, as in HTTP).
    public static func decode(_ body: some ByteSource, transferEncoding: String?, to sink: some ByteSink) throws {
        switch transferEncoding.map({ ASCII.trim($0).lowercased() }) {
        case nil, "", "binary", "7bit", "8bit":
            try body.copy(to: sink)
        case "base64":
            try decodeBase64(body, to: sink)
        case "quoted-printable":
            try decodeQuotedPrintable(body, to: sink)
        case let other?:
            throw MIMEError.unsupportedTransferEncoding("Content-Transfer-Encoding \"\(other)\" is not supported")
        }
    }
}
