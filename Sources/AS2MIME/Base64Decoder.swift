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
