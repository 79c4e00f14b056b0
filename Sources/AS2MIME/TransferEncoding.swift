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

/// Incremental strict base64 decoder.
struct Base64Decoder {
    /// 0–63: alphabet value; `skip`: CR, LF, SP, TAB; `pad`: "="; `invalid`: anything else.
    static let table: [UInt8] = {
        var t = [UInt8](repeating: invalid, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        for c: UInt8 in [13, 10, 32, 9] { t[Int(c)] = skip }
        t[61] = pad
        return t
    }()
    static let skip: UInt8 = 64
    static let pad: UInt8 = 65
    static let invalid: UInt8 = 255

    private var bits: UInt32 = 0
    private var count = 0  // sextets in the current quantum
    private var padding = 0  // "=" seen in the current quantum
    private var ended = false  // a padded quantum completed: only whitespace may follow
    private var position = 0  // characters consumed before the current chunk, for messages

    mutating func feed(_ bytes: [UInt8], into out: inout [UInt8]) throws {
        // State in locals so the loop runs in registers; written back at the end (or on error,
        // after which the decoder is not used again).
        var bits = self.bits
        var count = self.count
        var padding = self.padding
        var ended = self.ended
        let position = self.position
        let decoded = try Self.table.withUnsafeBufferPointer { table in
            try bytes.withUnsafeBufferPointer { input in
                try [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3 + 3) { dst, initialized in
                    var o = 0
                    var offset = 0
                    while offset < input.count {
                        // Fast path: four alphabet characters at a quantum boundary.
                        if count == 0, padding == 0, !ended, offset + 4 <= input.count {
                            let a = table[Int(input[offset])]
                            let b = table[Int(input[offset + 1])]
                            let c = table[Int(input[offset + 2])]
                            let d = table[Int(input[offset + 3])]
                            if a | b | c | d < 64 {
                                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                                dst[o] = UInt8(truncatingIfNeeded: v >> 16)
                                dst[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                                dst[o + 2] = UInt8(truncatingIfNeeded: v)
                                o += 3
                                offset += 4
                                continue
                            }
                        }
                        let c = input[offset]
                        offset += 1
                        let v = table[Int(c)]
                        if v < 64 {
                            guard padding == 0, !ended else {
                                throw MIMEError.invalidBase64("data after the padding at character \(position + offset)")
                            }
                            bits = bits << 6 | UInt32(v)
                            count += 1
                            if count == 4 {
                                dst[o] = UInt8(truncatingIfNeeded: bits >> 16)
                                dst[o + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                                dst[o + 2] = UInt8(truncatingIfNeeded: bits)
                                o += 3
                                bits = 0
                                count = 0
                            }
                        } else if v == Self.skip {
                            continue
                        } else if v == Self.pad {
                            guard !ended, count + padding >= 2 else {
                                throw MIMEError.invalidBase64("misplaced \"=\" at character \(position + offset)")
                            }
                            padding += 1
                            if count + padding == 4 {
                                // A padded final quantum: 1 byte from "xx==", 2 from "xxx=".
                                if count == 2 {
                                    dst[o] = UInt8(truncatingIfNeeded: bits >> 4)
                                    o += 1
                                } else {
                                    dst[o] = UInt8(truncatingIfNeeded: bits >> 10)
                                    dst[o + 1] = UInt8(truncatingIfNeeded: bits >> 2)
                                    o += 2
                                }
                                bits = 0
                                count = 0
                                padding = 0
                                ended = true
                            }
                        } else {
                            throw MIMEError.invalidBase64(
                                "character 0x\(String(c, radix: 16)) at position \(position + offset) is not base64")
                        }
                    }
                    initialized = o
                }
            }
        }
        out += decoded
        self.bits = bits
        self.count = count
        self.padding = padding
        self.ended = ended
        self.position = position + bytes.count
    }

    func finish() throws {
        guard count == 0, padding == 0 else {
            throw MIMEError.invalidBase64("the base64 text ends in an incomplete quantum (missing padding)")
        }
    }
}

/// Incremental base64 encoder with CRLF line breaks.
struct Base64Encoder {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    let lineLength: Int
    private var pending: [UInt8] = []
    private var column = 0

    init(lineLength: Int) { self.lineLength = lineLength }

    mutating func feed(_ bytes: [UInt8], into out: inout [UInt8]) {
        var input = bytes[...]
        if !pending.isEmpty {
            let take = Swift.min(3 - pending.count, input.count)
            pending += input.prefix(take)
            input = input.dropFirst(take)
            guard pending.count == 3 else { return }
            wrap(Self.encode(pending[...]), into: &out)
            pending.removeAll()
        }
        let whole = input.count / 3 * 3
        wrap(Self.encode(input.prefix(whole)), into: &out)
        pending += input.dropFirst(whole)
    }

    mutating func finish(into out: inout [UInt8]) {
        guard !pending.isEmpty else { return }
        let a = Self.alphabet
        let n = UInt32(pending[0]) << 16 | (pending.count == 2 ? UInt32(pending[1]) << 8 : 0)
        var quad = [a[Int(n >> 18 & 63)], a[Int(n >> 12 & 63)], a[Int(n >> 6 & 63)], 61]
        if pending.count == 1 { quad[2] = 61 }
        wrap(quad, into: &out)
        pending.removeAll()
    }

    /// Base64 of `input`, whose length is a multiple of 3, without line breaks.
    private static func encode(_ input: ArraySlice<UInt8>) -> [UInt8] {
        let n = input.count / 3
        guard n > 0 else { return [] }
        return alphabet.withUnsafeBufferPointer { a in
            input.withUnsafeBufferPointer { src in
                [UInt8](unsafeUninitializedCapacity: n * 4) { dst, initialized in
                    for i in 0..<n {
                        let v = UInt32(src[3 * i]) << 16 | UInt32(src[3 * i + 1]) << 8 | UInt32(src[3 * i + 2])
                        dst[4 * i] = a[Int(v >> 18 & 63)]
                        dst[4 * i + 1] = a[Int(v >> 12 & 63)]
                        dst[4 * i + 2] = a[Int(v >> 6 & 63)]
                        dst[4 * i + 3] = a[Int(v & 63)]
                    }
                    initialized = n * 4
                }
            }
        }
    }

    /// Appends `chars`, starting a new line (CRLF) whenever the current one is full.
    private mutating func wrap(_ chars: [UInt8], into out: inout [UInt8]) {
        guard lineLength > 0 else {
            out += chars
            return
        }
        out.reserveCapacity(out.count + chars.count + chars.count / lineLength * 2 + 2)
        var i = 0
        while i < chars.count {
            if column == lineLength {
                out.append(13)
                out.append(10)
                column = 0
            }
            let n = Swift.min(lineLength - column, chars.count - i)
            out += chars[i..<(i + n)]
            column += n
            i += n
        }
    }
}

/// Incremental quoted-printable decoder (a byte-wise state machine, so chunk boundaries may fall
/// anywhere).
struct QuotedPrintableDecoder {
    private enum State {
        case text
        case cr  // a CR in text; an LF makes it a line end
        case equals  // after "="
        case hex(UInt8)  // after "=" and one hex digit
        case equalsSpace  // after "=" and whitespace: a soft break padded by transport
        case softCR  // after "=" [whitespace] CR
    }
    private var state = State.text
    private var whitespace: [UInt8] = []  // pending SP/TAB: dropped at a line end
    private var position = 0

    mutating func feed(_ bytes: [UInt8], into out: inout [UInt8]) throws {
        for b in bytes {
            position += 1
            try step(b, into: &out)
        }
    }

    private mutating func step(_ b: UInt8, into out: inout [UInt8]) throws {
        switch state {
        case .text:
            switch b {
            case 32, 9:
                whitespace.append(b)
            case 13:
                whitespace.removeAll()
                state = .cr
            case 10:
                whitespace.removeAll()
                out.append(10)
            case 61:
                flushWhitespace(into: &out)
                state = .equals
            default:
                flushWhitespace(into: &out)
                out.append(b)
            }
        case .cr:
            state = .text
            if b == 10 {
                out += [13, 10]
            } else {
                out.append(13)
                try step(b, into: &out)
            }
        case .equals:
            if let v = Self.hexValue(b) {
                state = .hex(v)
            } else if b == 13 {
                state = .softCR
            } else if b == 10 {
                state = .text
            } else if b == 32 || b == 9 {
                state = .equalsSpace
            } else {
                throw MIMEError.invalidQuotedPrintable("\"=\" followed by 0x\(String(b, radix: 16)) at byte \(position)")
            }
        case .hex(let high):
            guard let low = Self.hexValue(b) else {
                throw MIMEError.invalidQuotedPrintable("\"=\" escape with a non-hex digit at byte \(position)")
            }
            out.append(high << 4 | low)
            state = .text
        case .equalsSpace:
            if b == 32 || b == 9 { return }
            if b == 13 {
                state = .softCR
            } else if b == 10 {
                state = .text
            } else {
                throw MIMEError.invalidQuotedPrintable("\"=\" followed by whitespace and text at byte \(position)")
            }
        case .softCR:
            state = .text
            if b != 10 { try step(b, into: &out) }
        }
    }

    mutating func finish(into out: inout [UInt8]) throws {
        switch state {
        case .hex:
            throw MIMEError.invalidQuotedPrintable("the text ends inside an \"=\" escape")
        case .cr:
            out.append(13)
        default:
            break
        }
        whitespace.removeAll()
        state = .text
    }

    private mutating func flushWhitespace(into out: inout [UInt8]) {
        if !whitespace.isEmpty {
            out += whitespace
            whitespace.removeAll()
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
}
