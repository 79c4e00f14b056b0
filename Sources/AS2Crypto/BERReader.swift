import AS2Bytes

/// The identifier and length octets of one BER element.
struct BERHeader {
    /// First identifier octet (class, constructed bit, low tag number).
    let identifier: UInt8
    /// Tag number (also for the high-tag-number form).
    let tagNumber: Int
    /// Where the element starts in the source.
    let offset: Int
    /// Size of the identifier and length octets.
    let headerLength: Int
    /// Content length; nil for the indefinite form (closed by end-of-contents octets).
    let length: Int?

    var isConstructed: Bool { identifier & 0x20 != 0 }
    var isEndOfContents: Bool { identifier == 0 && length == 0 }
    var contentStart: Int { offset + headerLength }
    /// End of the content for a definite length.
    var contentEnd: Int? { length.map { contentStart + $0 } }
}

/// Reads BER (and DER) elements from a `ByteSource` without loading it: headers come through a
/// small read-ahead window, so walking a message with thousands of chunks costs few reads.
final class BERReader {
    let source: any ByteSource
    private var window: [UInt8] = []
    private var windowStart = 0
    private let windowSize = 64 * 1024
    /// Deepest nesting accepted, against stack exhaustion on hostile input.
    static let maxDepth = 32

    init(_ source: any ByteSource) { self.source = source }

    /// Bytes `range` of the source, served from the window when they lie in it.
    func bytes(_ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= source.count else {
            throw CryptoError(.malformedInput, "ASN.1 data ends early (need bytes up to \(range.upperBound) of \(source.count))")
        }
        if range.count > windowSize / 2 { return try source.read(at: range.lowerBound, length: range.count) }
        if range.lowerBound < windowStart || range.upperBound > windowStart + window.count {
            windowStart = range.lowerBound
            window = try source.read(at: range.lowerBound, length: min(windowSize, source.count - range.lowerBound))
        }
        return Array(window[(range.lowerBound - windowStart)..<(range.upperBound - windowStart)])
    }

    /// Parses the header at `offset`; its content must end at or before `limit`.
    func header(at offset: Int, limit: Int) throws -> BERHeader {
        guard offset < limit else { throw malformed("expected an element at offset \(offset)") }
        let peek = try bytes(offset..<min(limit, offset + 16))
        var i = 0
        func next() throws -> UInt8 {
            guard i < peek.count else { throw malformed("truncated header at offset \(offset)") }
            defer { i += 1 }
            return peek[i]
        }
        let identifier = try next()
        var tagNumber = Int(identifier & 0x1f)
        if tagNumber == 0x1f {
            tagNumber = 0
            while true {
                let b = try next()
                guard tagNumber < (1 << 24) else { throw malformed("tag number too large at offset \(offset)") }
                tagNumber = (tagNumber << 7) | Int(b & 0x7f)
                if b & 0x80 == 0 { break }
            }
        }
        let first = try next()
        var length: Int?
        if first < 0x80 {
            length = Int(first)
        } else if first == 0x80 {
            guard identifier & 0x20 != 0 else { throw malformed("indefinite length on a primitive element at offset \(offset)") }
            length = nil
        } else {
            let n = Int(first & 0x7f)
            guard n <= 8, first != 0xff else { throw malformed("length too large at offset \(offset)") }
            var value = 0
            for _ in 0..<n {
                guard value < (1 << 47) else { throw malformed("length too large at offset \(offset)") }
                value = (value << 8) | Int(try next())
            }
            length = value
        }
        let header = BERHeader(identifier: identifier, tagNumber: tagNumber, offset: offset, headerLength: i, length: length)
        if let end = header.contentEnd, end > limit {
            throw malformed("element at offset \(offset) runs past its container (\(end) > \(limit))")
        }
        return header
    }

    /// Parses the header at `offset` and checks its identifier octet.
    func expect(_ identifier: UInt8, at offset: Int, limit: Int, _ what: String) throws -> BERHeader {
        let h = try header(at: offset, limit: limit)
        guard h.identifier == identifier else {
            throw malformed("expected \(what) at offset \(offset), found tag 0x\(String(h.identifier, radix: 16))")
        }
        return h
    }

    /// Offset just past the element at `offset` (following indefinite lengths down to their end).
    func end(of header: BERHeader, limit: Int, depth: Int = 0) throws -> Int {
        if let end = header.contentEnd { return end }
        guard depth < Self.maxDepth else { throw malformed("nesting deeper than \(Self.maxDepth)") }
        var offset = header.contentStart
        while true {
            let child = try self.header(at: offset, limit: limit)
            if child.isEndOfContents { return child.contentStart }
            offset = try end(of: child, limit: limit, depth: depth + 1)
        }
    }

    /// The complete encoding of the element at `header` (for small elements copied verbatim).
    func element(_ header: BERHeader, limit: Int, maxSize: Int = 4 << 20) throws -> [UInt8] {
        let end = try end(of: header, limit: limit)
        guard end - header.offset <= maxSize else { throw malformed("element at offset \(header.offset) is too large") }
        return try bytes(header.offset..<end)
    }

    /// The content octets of a primitive element (an OID, an INTEGER).
    func content(_ header: BERHeader, maxSize: Int = 1 << 16) throws -> [UInt8] {
        guard let end = header.contentEnd, !header.isConstructed else {
            throw malformed("expected a primitive element at offset \(header.offset)")
        }
        guard end - header.contentStart <= maxSize else { throw malformed("element at offset \(header.offset) is too large") }
        return try bytes(header.contentStart..<end)
    }

    /// Reads an OBJECT IDENTIFIER at `offset`.
    func oid(at offset: Int, limit: Int) throws -> (OID, BERHeader) {
        let h = try expect(0x06, at: offset, limit: limit, "an OBJECT IDENTIFIER")
        guard let oid = OID(content: try content(h, maxSize: 256)) else { throw malformed("bad OBJECT IDENTIFIER at offset \(offset)") }
        return (oid, h)
    }

    /// The byte ranges holding the value of an OCTET STRING, primitive or constructed (chunked, as
    /// streaming encoders write it), in order. `header` may carry an implicit tag.
    func octetStringSegments(_ header: BERHeader, limit: Int, depth: Int = 0, into segments: inout [Range<Int>]) throws -> Int {
        if !header.isConstructed {
            guard let end = header.contentEnd else { throw malformed("indefinite primitive at offset \(header.offset)") }
            if end > header.contentStart { segments.append(header.contentStart..<end) }
            return end
        }
        guard depth < Self.maxDepth else { throw malformed("nesting deeper than \(Self.maxDepth)") }
        let containerLimit = header.contentEnd ?? limit
        var offset = header.contentStart
        while true {
            if let end = header.contentEnd, offset == end { return end }
            let child = try self.header(at: offset, limit: containerLimit)
            if child.isEndOfContents {
                guard header.length == nil else { throw malformed("end-of-contents inside a definite length at offset \(offset)") }
                return child.contentStart
            }
            guard child.identifier & 0x1f == 0x04 else {
                throw malformed("expected an OCTET STRING chunk at offset \(offset)")
            }
            offset = try octetStringSegments(child, limit: containerLimit, depth: depth + 1, into: &segments)
        }
    }

    /// Checks that the indefinite-length container `header` is closed at `offset` and returns the
    /// offset past it; for a definite length, checks that `offset` is its end.
    func close(_ header: BERHeader, at offset: Int, limit: Int) throws -> Int {
        if let end = header.contentEnd {
            guard offset <= end else { throw malformed("element at offset \(header.offset) overruns") }
            return end
        }
        let eoc = try self.header(at: offset, limit: limit)
        guard eoc.isEndOfContents else { throw malformed("expected end-of-contents at offset \(offset)") }
        return eoc.contentStart
    }

    private func malformed(_ text: String) -> CryptoError { CryptoError(.malformedInput, "ASN.1: \(text)") }
}
