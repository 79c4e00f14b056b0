import Foundation

/// The payloads of the interop matrix (issue 2): empty, 1 KiB of text with bare LF line ends,
/// 1 KiB of binary holding every byte value, and 5 MiB of random bytes.
public enum MatrixPayload: String, CaseIterable, Sendable {
    case empty
    case lfText = "text-lf"
    case binary
    case large = "random-5MiB"

    /// The payloads every combination of the matrix runs with (the 5 MiB one runs on a pairwise subset).
    public static let small: [MatrixPayload] = [.empty, .lfText, .binary]

    /// The bytes, the same on every call within one process.
    public var bytes: Data {
        switch self {
        case .empty: return Data()
        case .lfText: return Self.text
        case .binary: return Self.binaryBytes
        case .large: return Self.largeBytes
        }
    }

    /// A text type for the text payload (pyas2lib rewrites its bare LFs to CRLF when it sends),
    /// application/octet-stream for the others (byte-exact on both sides).
    public var contentType: String {
        self == .lfText ? "application/edi-x12" : "application/octet-stream"
    }

    public var isText: Bool { self == .lfText }

    private static let text: Data = {
        var lines = ""
        var n = 0
        while lines.utf8.count < 1024 {
            lines += "ISA*00*          *00*          *ZZ*ACME*ZZ*GLOBEX*\(n)~\n"
            n += 1
        }
        return Data(lines.utf8.prefix(1023)) + Data([10])
    }()

    private static let binaryBytes: Data = {
        // Every byte value, then CR / LF / CRLF runs and more bytes: any rewriting shows.
        var bytes = Data((0...255).map { UInt8($0) })
        bytes.append(contentsOf: Array("\r\n\n\r--boundary\r\n\r\n".utf8))
        var x: UInt32 = 0x2545_F491
        while bytes.count < 1024 {
            x ^= x << 13
            x ^= x >> 17
            x ^= x << 5
            bytes.append(UInt8(truncatingIfNeeded: x))
        }
        return bytes
    }()

    private static let largeBytes: Data = {
        var generator = SystemRandomNumberGenerator()
        var words = [UInt64](repeating: 0, count: (5 << 20) / 8)
        for i in words.indices { words[i] = generator.next() }
        return words.withUnsafeBytes { Data($0) }
    }()

    /// `bytes` with every bare LF turned into CRLF: what pyas2lib puts on the wire for text types.
    public var crlfBytes: Data {
        var out = Data()
        out.reserveCapacity(bytes.count + bytes.count / 16)
        var previous: UInt8 = 0
        for b in bytes {
            if b == 10 && previous != 13 { out.append(13) }
            out.append(b)
            previous = b
        }
        return out
    }
}
