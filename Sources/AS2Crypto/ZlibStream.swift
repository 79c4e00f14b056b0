internal import CZlib

/// Owner of a zlib stream (RFC 1950 format: header, DEFLATE, Adler-32), compressing or
/// inflating in pieces. The `z_stream` lives on the heap because zlib keeps a pointer back to it.
final class ZlibStream {
    enum Mode { case deflate, inflate }

    let mode: Mode
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 64 * 1024)
    /// Input bytes consumed so far.
    private(set) var totalIn = 0
    /// Output bytes produced so far.
    private(set) var totalOut = 0

    init(_ mode: Mode) throws {
        self.mode = mode
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let size = Int32(MemoryLayout<z_stream>.size)
        let result = mode == .deflate
            ? deflateInit_(stream, Z_DEFAULT_COMPRESSION, zlibVersion(), size)
            : inflateInit_(stream, zlibVersion(), size)
        guard result == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw CryptoError(mode == .deflate ? .openssl : .decompressionFailed, "zlib initialisation failed (\(result))")
        }
    }

    deinit {
        if mode == .deflate { deflateEnd(stream) } else { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` (all of it), handing output to `emit`; `finish` ends the stream.
    func deflate(_ input: UnsafeRawBufferPointer, finish: Bool, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        setInput(input)
        while true {
            let (result, produced) = runOnce { CZlib.deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH) }
            if produced > 0 { try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            if result == Z_STREAM_END { return }
            guard result == Z_OK || result == Z_BUF_ERROR else { throw CryptoError(.openssl, "zlib deflate failed (\(result))") }
            if !finish && stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return }
        }
    }

    /// Inflates `input`, handing output to `emit`. Returns true once the zlib stream has ended
    /// (its Adler-32 checked); input after the end is ignored.
    func inflate(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        setInput(input)
        while true {
            let (result, produced) = runOnce { CZlib.inflate(stream, Z_NO_FLUSH) }
            if produced > 0 { try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            switch result {
            case Z_STREAM_END:
                return true
            case Z_OK, Z_BUF_ERROR:
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return false }
                if result == Z_BUF_ERROR && produced == 0 { return false }
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(result)"
                throw CryptoError(.decompressionFailed, "corrupt zlib stream: \(message)")
            }
        }
    }

    private func setInput(_ input: UnsafeRawBufferPointer) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
    }

    /// Runs one zlib call with the whole output buffer free; returns its result and the bytes produced.
    private func runOnce(_ call: () -> Int32) -> (Int32, Int) {
        let inBefore = Int(stream.pointee.avail_in)
        let result = output.withUnsafeMutableBytes { buffer -> Int32 in
            stream.pointee.next_out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = UInt32(buffer.count)
            return call()
        }
        let produced = output.count - Int(stream.pointee.avail_out)
        totalIn += inBefore - Int(stream.pointee.avail_in)
        totalOut += produced
        stream.pointee.next_out = nil
        return (result, produced)
    }
}
