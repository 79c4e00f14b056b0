import AS2Bytes

/// The body parts of a multipart entity (RFC 2046 §5.1), each a range of the original bytes.
///
/// Exactly per RFC 2046 §5.1.1: the line end before `--boundary` belongs to the delimiter, so a
/// part runs from the byte after its delimiter line up to (not including) the CRLF (or bare LF)
/// before the next delimiter. This is the byte range a multipart/signed signature covers.
public struct Multipart: Sendable {
    public let boundary: String
    public let parts: [MIMEEntity]
    /// Text before the first delimiter (empty when the body starts with it).
    public let preambleRange: Range<Int>
    /// Bytes after the close delimiter line (empty when there are none, or when not closed).
    public let epilogueRange: Range<Int>
    /// False when the body ended without a close delimiter (only possible with `requireClose: false`).
    public let isClosed: Bool

    /// Splits `entity`'s body at its boundary. The entity's Content-Type must be `multipart/*` with
    /// a `boundary` parameter. Transport padding after a boundary, a preamble, an epilogue and
    /// bare-LF line ends are tolerated; a part that starts with a non-header line is read as a part
    /// without headers. The body is scanned in `limits.chunkSize` pieces, never loaded whole.
    ///
    /// - Parameter requireClose: when false, a missing close delimiter is tolerated and the last
    ///   part runs to the end of the body (for MDN parsing only, requirements §4.10).
    public static func parse(_ entity: MIMEEntity, limits: MIMELimits = .init(), requireClose: Bool = true) throws -> Multipart {
        guard let ctValue = entity.headers["Content-Type"] else {
            throw MIMEError.invalidContentType("multipart entity has no Content-Type")
        }
        let contentType = try ContentType(parsing: ctValue)
        guard contentType.isMultipart else {
            throw MIMEError.invalidContentType("Content-Type \(contentType.mimeType) is not multipart")
        }
        guard let boundary = contentType[parameter: "boundary"], !boundary.isEmpty else {
            throw MIMEError.missingBoundary("Content-Type \(contentType.mimeType) has no boundary parameter")
        }
        return try parse(body: entity.source, range: entity.bodyRange, boundary: boundary, limits: limits, requireClose: requireClose)
    }

    /// Splits `range` of `source` (a multipart body) at `boundary`.
    public static func parse(
        body source: any ByteSource, range: Range<Int>, boundary: String, limits: MIMELimits = .init(), requireClose: Bool = true
    ) throws -> Multipart {
        guard !boundary.isEmpty, !boundary.utf8.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf }) else {
            throw MIMEError.missingBoundary("boundary \"\(boundary)\" is empty or contains a line break")
        }
        let scanner = DelimiterScanner(source: source, range: range, boundary: boundary, chunkSize: limits.chunkSize)
        var delimiters: [DelimiterScanner.Delimiter] = []
        var lastNearMiss: Int?
        try scanner.scan({ d in
            delimiters.append(d)
            if d.isClose { return false }
            if delimiters.count > limits.maxParts {
                throw MIMEError.tooManyParts("more than \(limits.maxParts) body parts")
            }
            return true
        }, nearMiss: { lastNearMiss = $0.lineStart })

        guard let first = delimiters.first else {
            throw MIMEError.missingBoundary("no delimiter line \"--\(boundary)\" in the body")
        }
        let isClosed = delimiters.last!.isClose
        var ranges: [Range<Int>] = []
        for i in 0..<(delimiters.count - 1) {
            let lower = delimiters[i].lineEnd
            ranges.append(lower..<Swift.max(lower, delimiters[i + 1].start))
        }
        var epilogue = range.upperBound..<range.upperBound
        if isClosed {
            epilogue = delimiters.last!.lineEnd..<range.upperBound
        } else {
            guard !requireClose else {
                throw MIMEError.unterminatedMultipart("the body ends without the close delimiter \"--\(boundary)--\"")
            }
            let lower = delimiters.last!.lineEnd
            var upper = range.upperBound
            if let miss = lastNearMiss, miss >= lower {
                upper = Swift.max(lower, try scanner.lineStartWithEnding(miss))  // a damaged close such as "--boundary-"
            } else {
                upper = try endWithoutFinalLineEnd(source, lower..<upper)
            }
            ranges.append(lower..<upper)
        }
        let parts = try ranges.map { try MIMEEntity.parseAllowingHeaderless(source, range: $0, limits: limits) }
        return Multipart(
            boundary: boundary, parts: parts, preambleRange: range.lowerBound..<first.start,
            epilogueRange: epilogue, isClosed: isClosed)
    }

    /// The non-multipart entities inside `entity`, depth first: `[entity]` itself when it is not a
    /// multipart. Throws `.depthExceeded` past `limits.maxDepth` levels and `.tooManyParts` past
    /// `limits.maxParts` leaves in total.
    public static func leaves(of entity: MIMEEntity, limits: MIMELimits = .init()) throws -> [MIMEEntity] {
        var out: [MIMEEntity] = []
        try collectLeaves(entity, depth: 0, limits: limits, into: &out)
        return out
    }

    private static func collectLeaves(_ entity: MIMEEntity, depth: Int, limits: MIMELimits, into out: inout [MIMEEntity]) throws {
        guard entity.contentType?.isMultipart == true else {
            guard out.count < limits.maxParts else { throw MIMEError.tooManyParts("more than \(limits.maxParts) body parts") }
            out.append(entity)
            return
        }
        guard depth < limits.maxDepth else {
            throw MIMEError.depthExceeded("multiparts nested more than \(limits.maxDepth) deep")
        }
        for part in try parse(entity, limits: limits).parts {
            try collectLeaves(part, depth: depth + 1, limits: limits, into: &out)
        }
    }

    /// `range` without one trailing CRLF or LF.
    private static func endWithoutFinalLineEnd(_ source: any ByteSource, _ range: Range<Int>) throws -> Int {
        guard !range.isEmpty else { return range.upperBound }
        let tail = try source.read(at: Swift.max(range.lowerBound, range.upperBound - 2), length: Swift.min(2, range.count))
        if tail.last == ASCII.lf {
            return range.upperBound - (tail.count == 2 && tail[0] == ASCII.cr ? 2 : 1)
        }
        return range.upperBound
    }
}
