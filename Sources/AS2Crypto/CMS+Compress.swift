import AS2Bytes
internal import CZlib

extension CMS {
    /// Compressed output up to this size is written as DER with definite lengths; beyond it the
    /// writer switches to BER indefinite lengths with a chunked OCTET STRING, so memory stays bounded.
    static let compressDERThreshold = 1 << 20

    /// Writes an RFC 3274 CompressedData (version 0, id-alg-zlibCompress with absent parameters,
    /// id-data content, a zlib stream) of `content` to `sink`. Content is read in chunks.
    public static func compress(content: some ByteSource, to sink: some ByteSink) throws {
        let zlib = try ZlibStream(.deflate)
        var pending: [UInt8] = []
        var streaming = false
        func write(_ bytes: [UInt8]) throws { try mapIOErrors("writing the compressed data") { try sink.write(bytes) } }
        func emit(_ piece: UnsafeRawBufferPointer) throws {
            if streaming {
                try write(DER.header(DER.octetString, length: piece.count))
                try mapIOErrors("writing the compressed data") { try sink.write(piece) }
                return
            }
            pending.append(contentsOf: piece)
            if pending.count > compressDERThreshold {
                streaming = true
                try write(compressedDataPrefix(length: nil))
                var offset = 0
                while offset < pending.count {
                    let end = min(pending.count, offset + 64 * 1024)
                    try write(DER.tlv(DER.octetString, Array(pending[offset..<end])))
                    offset = end
                }
                pending = []
            }
        }
        try mapIOErrors("reading the content to compress") {
            try content.forEachChunk { chunk in try chunk.withUnsafeBytes { try zlib.deflate($0, finish: false, emit: emit) } }
        }
        try zlib.deflate(UnsafeRawBufferPointer(start: nil, count: 0), finish: true, emit: emit)
        if streaming {
            try write([UInt8](repeating: 0, count: 12))  // end-of-contents of the six open elements
        } else {
            try write(compressedDataPrefix(length: pending.count) + pending)
        }
    }

    /// Everything before the compressed bytes: with definite lengths for `length` bytes of
    /// compressed data, or indefinite lengths (and a constructed OCTET STRING) when nil.
    private static func compressedDataPrefix(length: Int?) -> [UInt8] {
        let algorithm = DER.tlv(DER.sequence, OID.zlibCompress.der)
        guard let n = length else {
            let open: [UInt8] = [0x80]
            return [DER.sequence] + open + OID.compressedData.der + [DER.context0Constructed] + open
                + [DER.sequence] + open + DER.integer(0) + algorithm
                + [DER.sequence] + open + OID.data.der + [DER.context0Constructed] + open + [0x24] + open
        }
        let octetHeader = DER.header(DER.octetString, length: n)
        let explicitInner = DER.header(DER.context0Constructed, length: octetHeader.count + n)
        let encapLength = OID.data.der.count + explicitInner.count + octetHeader.count + n
        let encapHeader = DER.header(DER.sequence, length: encapLength)
        let fieldsBefore = DER.integer(0) + algorithm
        let compressedLength = fieldsBefore.count + encapHeader.count + encapLength
        let compressedHeader = DER.header(DER.sequence, length: compressedLength)
        let explicitOuter = DER.header(DER.context0Constructed, length: compressedHeader.count + compressedLength)
        let contentInfoLength = OID.compressedData.der.count + explicitOuter.count + compressedHeader.count + compressedLength
        return DER.header(DER.sequence, length: contentInfoLength) + OID.compressedData.der + explicitOuter
            + compressedHeader + fieldsBefore + encapHeader + OID.data.der + explicitInner + octetHeader
    }

    /// Inflates an RFC 3274 CompressedData (DER or BER; zlib parameters absent or NULL) into
    /// `sink`, checking the zlib Adler-32. Stops with `.decompressionLimitExceeded` as soon as the
    /// output passes `limits` (memory stays bounded), `.decompressionFailed` on a corrupt or
    /// truncated stream, `.malformedInput` when the structure is not CompressedData.
    public static func decompress(compressed: some ByteSource, to sink: some ByteSink, limits: DecompressionLimits) throws {
        let segments = try mapIOErrors("reading the compressed data") { try compressedSegments(compressed) }
        let inputLength = segments.reduce(0) { $0 + $1.count }
        let outputLimit = limits.outputLimit(compressedBytes: inputLength)
        let zlib = try ZlibStream(.inflate)
        var written = 0
        var ended = false
        let emit: (UnsafeRawBufferPointer) throws -> Void = { piece in
            written += piece.count
            guard written <= outputLimit else {
                throw CryptoError(.decompressionLimitExceeded, "decompressed data exceeds \(outputLimit) bytes (\(inputLength) compressed bytes; limits: \(limits.maxOutputBytes) bytes, ratio \(limits.maxRatio))")
            }
            try mapIOErrors("writing the decompressed data") { try sink.write(piece) }
        }
        outer: for segment in segments {
            var offset = segment.lowerBound
            while offset < segment.upperBound {
                let chunk = try mapIOErrors("reading the compressed data") {
                    try compressed.read(at: offset, length: min(defaultChunkSize, segment.upperBound - offset))
                }
                guard !chunk.isEmpty else { throw CryptoError(.io, "compressed data ended early at offset \(offset)") }
                offset += chunk.count
                ended = try chunk.withUnsafeBytes { try zlib.inflate($0, emit: emit) }
                if ended { break outer }
            }
        }
        guard ended else { throw CryptoError(.decompressionFailed, "the zlib stream is truncated (no end and Adler-32)") }
    }

    /// The byte ranges of the zlib stream inside a CompressedData.
    private static func compressedSegments(_ source: some ByteSource) throws -> [Range<Int>] {
        let r = BERReader(source)
        let limit = source.count
        let contentInfo = try r.expect(DER.sequence, at: 0, limit: limit, "a ContentInfo SEQUENCE")
        let ciLimit = contentInfo.contentEnd ?? limit
        let (type, typeHeader) = try r.oid(at: contentInfo.contentStart, limit: ciLimit)
        guard type == .compressedData else {
            throw CryptoError(.malformedInput, "CMS content type is \(CMSContentType(oid: type)), not compressed-data")
        }
        let explicit = try r.expect(DER.context0Constructed, at: typeHeader.contentEnd!, limit: ciLimit, "[0] content")
        let explicitLimit = explicit.contentEnd ?? ciLimit
        let compressedData = try r.expect(DER.sequence, at: explicit.contentStart, limit: explicitLimit, "a CompressedData SEQUENCE")
        let cdLimit = compressedData.contentEnd ?? explicitLimit
        let version = try r.expect(0x02, at: compressedData.contentStart, limit: cdLimit, "the version INTEGER")
        guard try r.content(version) == [0] else { throw CryptoError(.malformedInput, "CompressedData version is not 0") }
        let algorithm = try r.expect(DER.sequence, at: version.contentEnd!, limit: cdLimit, "the compression AlgorithmIdentifier")
        let algorithmLimit = algorithm.contentEnd ?? cdLimit
        let (algorithmOID, oidHeader) = try r.oid(at: algorithm.contentStart, limit: algorithmLimit)
        guard algorithmOID == .zlibCompress else {
            throw CryptoError(.unsupportedAlgorithm, "compression algorithm \(algorithmOID) is not zlib")
        }
        let afterOID = oidHeader.contentEnd!
        if afterOID < (algorithm.contentEnd ?? Int.max) {
            let params = try r.header(at: afterOID, limit: algorithmLimit)
            guard params.isEndOfContents || (params.identifier == DER.null && params.length == 0) else {
                throw CryptoError(.malformedInput, "zlib parameters must be absent or NULL")
            }
        }
        let encap = try r.expect(DER.sequence, at: try r.end(of: algorithm, limit: cdLimit), limit: cdLimit, "an EncapsulatedContentInfo")
        let encapLimit = encap.contentEnd ?? cdLimit
        let (_, contentTypeHeader) = try r.oid(at: encap.contentStart, limit: encapLimit)
        let content = try r.expect(DER.context0Constructed, at: contentTypeHeader.contentEnd!, limit: encapLimit, "[0] eContent")
        let octets = try r.header(at: content.contentStart, limit: content.contentEnd ?? encapLimit)
        guard octets.identifier & 0xdf == DER.octetString else {
            throw CryptoError(.malformedInput, "eContent is not an OCTET STRING")
        }
        var segments: [Range<Int>] = []
        _ = try r.octetStringSegments(octets, limit: content.contentEnd ?? encapLimit, into: &segments)
        return segments
    }
}
