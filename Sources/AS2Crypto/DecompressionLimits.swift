/// Bounds on what one CompressedData may expand to (requirements R-CMP-4): an absolute size and
/// a ratio to the compressed size. The ratio is only enforced past `ratioFloorBytes` of output, so
/// small, very repetitive documents (a few KiB of padded EDI) are not refused.
public struct DecompressionLimits: Sendable {
    public var maxOutputBytes: Int
    public var maxRatio: Int
    public var ratioFloorBytes: Int

    public init(maxOutputBytes: Int = 1 << 30, maxRatio: Int = 200, ratioFloorBytes: Int = 1 << 20) {
        self.maxOutputBytes = maxOutputBytes
        self.maxRatio = maxRatio
        self.ratioFloorBytes = ratioFloorBytes
    }

    /// The most output allowed for `compressedBytes` of input.
    func outputLimit(compressedBytes: Int) -> Int {
        let (byRatio, overflow) = compressedBytes.multipliedReportingOverflow(by: max(maxRatio, 1))
        let ratioLimit = overflow ? Int.max : max(byRatio, ratioFloorBytes)
        return min(maxOutputBytes, ratioLimit)
    }
}
