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
