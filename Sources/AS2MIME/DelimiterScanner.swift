#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AS2Bytes

/// Finds the delimiter lines of a multipart body (RFC 2046 §5.1.1) by reading the body in chunks.
/// A delimiter is `--boundary` at the start of the body or right after a line end, followed by
/// optional `--` (close), transport padding (SP/TAB) and a line end (or the end of the body).
struct DelimiterScanner {
    struct Delimiter {
        /// Where the delimiter begins: the CRLF (or bare LF) before `--boundary`, which belongs to it.
        var start: Int
        /// Just past the delimiter line's line end.
        var lineEnd: Int
        var isClose: Bool
    }

    /// A line starting with `--boundary` that is not a delimiter (e.g. a damaged close `--b-`).
    struct NearMiss { var lineStart: Int }

    let source: any ByteSource
    let range: Range<Int>
    let needle: [UInt8]
    let chunkSize: Int
    /// Longest transport padding accepted after a boundary.
    static let maxPadding = 1024

    init(source: any ByteSource, range: Range<Int>, boundary: String, chunkSize: Int) {
        self.source = source
        self.range = range
        self.needle = Array("--\(boundary)".utf8)
        self.chunkSize = chunkSize
    }

    /// Calls `found` for each delimiter in order until it returns false or the body ends.
    /// `nearMiss` is called for lines that start with `--boundary` but are not delimiters.
    func scan(_ found: (Delimiter) throws -> Bool, nearMiss: (NearMiss) -> Void) throws {
        var chunkStart = range.lowerBound
        var previousByte: UInt8? = nil  // byte before chunkStart, nil at the body start
        var skipUntil = range.lowerBound  // candidates before this lie inside an accepted delimiter
        while chunkStart < range.upperBound {
            let chunk = try source.read(at: chunkStart, length: Swift.min(chunkSize, range.upperBound - chunkStart))
            guard !chunk.isEmpty else { throw ByteError.shortRead(offset: chunkStart) }
            var stop = false
            // Candidate line starts in this chunk: index 0 when the previous byte was LF (or at
            // the body start), and every index after an LF.
            var candidates: [Int] = []
            if previousByte == nil || previousByte == ASCII.lf { candidates.append(0) }
            chunk.withUnsafeBufferPointer { buf in
                var j = 0
                while j < buf.count {
                    guard let hit = memchr(buf.baseAddress! + j, Int32(ASCII.lf), buf.count - j) else { break }
                    let index = buf.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if index + 1 < buf.count { candidates.append(index + 1) }
                    j = index + 1
                }
            }
            for c in candidates {
                let p = chunkStart + c
                guard p >= skipUntil else { continue }
                // Quick reject inside the chunk when the bytes are available.
                let available = Swift.min(needle.count, chunk.count - c)
                var prefixMatches = true
                for k in 0..<available where chunk[c + k] != needle[k] {
                    prefixMatches = false
                    break
                }
                guard prefixMatches else { continue }
                // Classify from the chunk when it holds enough bytes (or the rest of the body);
                // otherwise read a small window at p.
                let needed = needle.count + 4 + Self.maxPadding
                let window: ArraySlice<UInt8>
                if c + needed <= chunk.count || chunkStart + chunk.count == range.upperBound {
                    window = chunk[c..<Swift.min(chunk.count, c + needed)]
                } else {
                    window = try source.read(at: p, length: Swift.min(needed, range.upperBound - p))[...]
                }
                switch classify(window, at: p) {
                case .none:
                    continue
                case .nearMiss:
                    nearMiss(NearMiss(lineStart: p))
                case .delimiter(let lineEnd, let isClose):
                    let d = Delimiter(start: try lineStartWithEnding(p), lineEnd: lineEnd, isClose: isClose)
                    skipUntil = lineEnd
                    if try !found(d) { stop = true }
                }
                if stop { break }
            }
            if stop { return }
            previousByte = chunk[chunk.count - 1]
            chunkStart += chunk.count
        }
        // A line start at the very end of the body (after a final LF) cannot hold a delimiter.
    }

    private enum Classification {
        case none
        case nearMiss
        case delimiter(lineEnd: Int, isClose: Bool)
    }

    /// Says whether a delimiter line begins at `p` (a line start); `window` holds the bytes from
    /// `p` on (at least the delimiter, the padding limit and a line end, or all that is left).
    private func classify(_ window: ArraySlice<UInt8>, at p: Int) -> Classification {
        let w = window
        let base = w.startIndex
        guard w.count >= needle.count, w.prefix(needle.count).elementsEqual(needle) else { return .none }
        var q = needle.count
        var isClose = false
        if q + 1 < w.count, w[base + q] == 45, w[base + q + 1] == 45 {  // "--"
            isClose = true
            q += 2
        }
        while q < w.count, ASCII.isWhitespace(w[base + q]) { q += 1 }
        if p + q == range.upperBound { return .delimiter(lineEnd: p + q, isClose: isClose) }
        guard q < w.count else { return .nearMiss }  // padding longer than we accept
        if w[base + q] == ASCII.lf { return .delimiter(lineEnd: p + q + 1, isClose: isClose) }
        if w[base + q] == ASCII.cr {
            if q + 1 < w.count, w[base + q + 1] == ASCII.lf { return .delimiter(lineEnd: p + q + 2, isClose: isClose) }
            if p + q + 1 == range.upperBound { return .delimiter(lineEnd: p + q + 1, isClose: isClose) }
        }
        return .nearMiss
    }

    /// `p` moved back over the line end before it (CRLF or bare LF), which belongs to the delimiter.
    func lineStartWithEnding(_ p: Int) throws -> Int {
        guard p > range.lowerBound else { return p }
        // The byte before p is LF (p is a line start); include a CR before it.
        if p - 2 >= range.lowerBound, try source.read(at: p - 2, length: 1) == [ASCII.cr] { return p - 2 }
        return p - 1
    }
}
