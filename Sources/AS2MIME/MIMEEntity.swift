import AS2Bytes

/// A MIME entity as a range of the bytes it was received in: header lines, an empty line, a body.
/// Nothing is copied or re-serialised, so digests and signatures run over exactly the bytes that
/// arrived, and a 200 MiB body is never loaded.
public struct MIMEEntity: Sendable {
    /// How the header lines ended.
    public enum LineEnding: Sendable, Equatable {
        case crlf
        /// At least one header line (or the empty line) ended with a bare LF.
        case lf
    }

    /// What the entity was parsed from; the ranges below index it.
    public let source: any ByteSource
    public let headers: MIMEHeaders
    /// The header lines including their line ends; excludes the empty line.
    public let headerRange: Range<Int>
    /// The body, after the empty line.
    public let bodyRange: Range<Int>
    public let headerLineEnding: LineEnding

    /// The whole entity: headers, empty line and body.
    public var range: Range<Int> { headerRange.lowerBound..<bodyRange.upperBound }
    /// The body bytes (still transfer-encoded).
    public var body: ByteSlice { source.slice(bodyRange) }
    /// The whole entity, exactly as received.
    public var bytes: ByteSlice { source.slice(range) }

    /// The parsed Content-Type, or nil when absent or unparseable (use `ContentType(parsing:)` on
    /// `headers["Content-Type"]` to see why).
    public var contentType: ContentType? { headers["Content-Type"].flatMap { try? ContentType(parsing: $0) } }
    /// The Content-Transfer-Encoding, lowercased, or nil when absent.
    public var transferEncoding: String? { headers["Content-Transfer-Encoding"].map { ASCII.trim($0).lowercased() } }
    /// The parsed Content-Disposition, or nil when absent or unparseable.
    public var contentDisposition: ContentDisposition? {
        headers["Content-Disposition"].flatMap { try? ContentDisposition(parsing: $0) }
    }

    /// An entity whose headers came from elsewhere (an HTTP request): the body is all of `body`.
    public init(headers: MIMEHeaders, body: some ByteSource) {
        self.source = body
        self.headers = headers
        self.headerRange = 0..<0
        self.bodyRange = 0..<body.count
        self.headerLineEnding = .crlf
    }

    init(source: any ByteSource, headers: MIMEHeaders, headerRange: Range<Int>, bodyRange: Range<Int>, lineEnding: LineEnding) {
        self.source = source
        self.headers = headers
        self.headerRange = headerRange
        self.bodyRange = bodyRange
        self.headerLineEnding = lineEnding
    }

    /// Parses header lines, the empty line and the body from all of `source`. CRLF and bare-LF line
    /// ends are accepted (`headerLineEnding` records which). A source that does not start with a
    /// header line (or an empty line) throws `.malformedHeader`.
    public static func parse(_ source: some ByteSource, limits: MIMELimits = .init()) throws -> MIMEEntity {
        try parse(source, range: 0..<source.count, limits: limits)
    }

    /// Parses the entity occupying `range` of `source`; the result's ranges index `source`.
    public static func parse(_ source: some ByteSource, range: Range<Int>, limits: MIMELimits = .init()) throws -> MIMEEntity {
        do {
            return try parse(any: source, range: range, limits: limits)
        } catch is HeaderBlock.NoHeaderBlock {
            throw MIMEError.malformedHeader(range.isEmpty ? "the entity is empty" : "the entity does not start with a header line")
        }
    }

    /// For content that may lack MIME headers (decrypted bare payloads, requirements R-STR-4): the
    /// parsed entity when `source` starts with a well-formed header block that ends in an empty
    /// line and has a Content-Type; otherwise an entity with no headers whose body is all of
    /// `source`. EDIFACT (`UNB+UNOA:2+…`) can look like a header line, hence the stricter test.
    public static func parseAllowingNoHeaders(_ source: some ByteSource, limits: MIMELimits = .init()) throws -> MIMEEntity {
        let whole = 0..<source.count
        let headerless = MIMEEntity(
            source: source, headers: MIMEHeaders(), headerRange: 0..<0, bodyRange: whole, lineEnding: .crlf)
        let window = try source.read(at: 0, length: Swift.min(source.count, limits.maxHeaderBytes + 2))
        guard let block = try? HeaderBlock.parse(window, entityLength: source.count, limits: limits),
            block.bodyOffset > block.headerLength || block.headerLength == 0,
            block.fields.contains(where: { $0.hasName("Content-Type") })
        else { return headerless }
        return MIMEEntity(
            source: source, headers: MIMEHeaders(block.fields), headerRange: 0..<block.headerLength,
            bodyRange: block.bodyOffset..<source.count, lineEnding: block.sawBareLF ? .lf : .crlf)
    }

    /// As `parse`, but a range that does not start with a header line becomes an entity with no
    /// headers whose body is the whole range (lenient reading of multipart body parts).
    static func parseAllowingHeaderless(_ source: any ByteSource, range: Range<Int>, limits: MIMELimits) throws -> MIMEEntity {
        do {
            return try parse(any: source, range: range, limits: limits)
        } catch is HeaderBlock.NoHeaderBlock {
            return MIMEEntity(
                source: source, headers: MIMEHeaders(),
                headerRange: range.lowerBound..<range.lowerBound, bodyRange: range, lineEnding: .crlf)
        }
    }

    private static func parse(any source: any ByteSource, range: Range<Int>, limits: MIMELimits) throws -> MIMEEntity {
        let window = try source.read(at: range.lowerBound, length: Swift.min(range.count, limits.maxHeaderBytes + 2))
        let block = try HeaderBlock.parse(window, entityLength: range.count, limits: limits)
        let start = range.lowerBound
        return MIMEEntity(
            source: source,
            headers: MIMEHeaders(block.fields),
            headerRange: start..<(start + block.headerLength),
            bodyRange: (start + block.bodyOffset)..<range.upperBound,
            lineEnding: block.sawBareLF ? .lf : .crlf)
    }
}
