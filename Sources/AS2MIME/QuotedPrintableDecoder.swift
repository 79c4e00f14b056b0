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
