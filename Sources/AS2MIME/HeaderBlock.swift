/// The header block at the start of an entity, located and parsed from a window of its bytes.
struct HeaderBlock {
    var fields: [MIMEHeaderField]
    /// Bytes of the header lines, line ends included (the empty line excluded).
    var headerLength: Int
    /// Offset of the body from the start of the entity (after the empty line), or the entity
    /// length when the headers run to the end without an empty line.
    var bodyOffset: Int
    /// Some header line (or the empty line) ended with a bare LF.
    var sawBareLF: Bool

    /// Why parsing stopped at the first line: it is not a header line. Lets multipart parts
    /// without headers be taken as body-only parts.
    struct NoHeaderBlock: Error {}

    /// Parses `window`, the first bytes of an entity of `entityLength` bytes (the window holds the
    /// whole entity when `window.count == entityLength`).
    static func parse(_ window: [UInt8], entityLength: Int, limits: MIMELimits) throws -> HeaderBlock {
        let complete = window.count >= entityLength
        var block = HeaderBlock(fields: [], headerLength: 0, bodyOffset: entityLength, sawBareLF: false)
        var pos = 0
        var current: (name: String, segments: [String])?
        var lineNumber = 0

        func finishField() throws {
            guard let c = current else { return }
            guard block.fields.count < limits.maxHeaderCount else {
                throw MIMEError.tooManyHeaders("more than \(limits.maxHeaderCount) header fields")
            }
            let value = c.segments.filter { !$0.isEmpty }.joined(separator: " ")
            block.fields.append(MIMEHeaderField(name: c.name, value: value))
            current = nil
        }

        while true {
            if pos >= window.count {
                guard complete else {
                    throw MIMEError.headerTooLarge("header block exceeds \(limits.maxHeaderBytes) bytes")
                }
                if lineNumber == 0 {
                    throw NoHeaderBlock()
                }
                try finishField()
                block.headerLength = pos
                block.bodyOffset = pos
                return block
            }
            lineNumber += 1
            // Find the line end.
            var end = pos
            while end < window.count, window[end] != ASCII.lf { end += 1 }
            let terminated = end < window.count
            if !terminated && !complete {
                throw MIMEError.headerTooLarge("header block exceeds \(limits.maxHeaderBytes) bytes")
            }
            var contentEnd = end
            if end > pos, window[end - 1] == ASCII.cr {
                contentEnd = end - 1
            } else if terminated {
                block.sawBareLF = true
            }
            let next = terminated ? end + 1 : end

            if contentEnd == pos {  // the empty line
                try finishField()
                block.headerLength = pos
                block.bodyOffset = next
                return block
            }
            if pos > limits.maxHeaderBytes || contentEnd > limits.maxHeaderBytes {
                throw MIMEError.headerTooLarge("header block exceeds \(limits.maxHeaderBytes) bytes")
            }
            if ASCII.isWhitespace(window[pos]) {
                guard current != nil else {
                    if lineNumber == 1 { throw NoHeaderBlock() }
                    throw MIMEError.malformedHeader("header line \(lineNumber) is a continuation without a field")
                }
                current!.segments.append(trimmedText(window, pos, contentEnd))
            } else {
                var colon = pos
                while colon < contentEnd, ASCII.isFieldNameByte(window[colon]) { colon += 1 }
                var nameEnd = colon
                while colon < contentEnd, ASCII.isWhitespace(window[colon]) { colon += 1 }  // "Name : value"
                guard colon < contentEnd, window[colon] == 58, nameEnd > pos else {
                    if lineNumber == 1 { throw NoHeaderBlock() }
                    throw MIMEError.malformedHeader("header line \(lineNumber) is not \"name: value\"")
                }
                if nameEnd > colon { nameEnd = colon }
                try finishField()
                let name = String(decoding: window[pos..<nameEnd], as: UTF8.self)
                current = (name, [trimmedText(window, colon + 1, contentEnd)])
            }
            pos = next
        }
    }

    private static func trimmedText(_ b: [UInt8], _ lo: Int, _ hi: Int) -> String {
        var lo = lo
        var hi = hi
        while lo < hi, ASCII.isWhitespace(b[lo]) || b[lo] == ASCII.cr { lo += 1 }
        while hi > lo, ASCII.isWhitespace(b[hi - 1]) || b[hi - 1] == ASCII.cr { hi -= 1 }
        return String(decoding: b[lo..<hi], as: UTF8.self)
    }
}
