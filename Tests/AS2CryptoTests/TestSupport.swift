import AS2Bytes
import AS2Crypto
import Foundation
import XCTest

/// Keys and certificates shared by the tests, generated once per test run (never committed).
enum Fixtures {
    static let alice = makeIdentity("alice")
    static let bob = makeIdentity("bob")
    static let carol = makeIdentity("carol")
    /// Bob's next certificate (rollover): a new key under the same name.
    static let bobNext = makeIdentity("bob")

    static func makeIdentity(_ name: String, notBefore: Date? = nil, validityDays: Int = 30) -> Identity {
        do {
            let key = try KeyGenerator.generateRSA(bits: 2048)
            let cert = try KeyGenerator.selfSignedCertificate(
                key: key, commonName: "\(name).as2.test", organization: "AS2 Tests", validityDays: validityDays,
                notBefore: notBefore)
            return try Identity(certificate: cert, privateKey: key)
        } catch {
            fatalError("cannot create test identity \(name): \(error)")
        }
    }

    /// An identity whose certificate expired a week ago.
    static let expired = makeIdentity("expired", notBefore: Date().addingTimeInterval(-10 * 86_400), validityDays: 3)
}

/// A scratch directory removed when the test case ends.
final class TempDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "as2crypto-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: file(name)))) }
}

struct CommandResult {
    let status: Int32
    let stdout: [UInt8]
    let stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs the `openssl` command line tool (the independent implementation we cross-check against).
@discardableResult
func openssl(_ arguments: [String], input: [UInt8]? = nil, file: StaticString = #filePath, line: UInt = #line, expectSuccess: Bool = true) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    let inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input)) }
    try inPipe.fileHandleForWriting.close()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let result = CommandResult(status: process.terminationStatus, stdout: Array(stdout), stderr: String(decoding: stderr, as: UTF8.self))
    if expectSuccess && result.status != 0 {
        XCTFail("openssl \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)", file: file, line: line)
    }
    return result
}

/// Asserts that `body` throws a `CryptoError` with `code`.
func assertThrowsCrypto<T>(_ code: CryptoError.Code, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected CryptoError \(code), nothing was thrown", file: file, line: line)
    } catch let error as CryptoError {
        XCTAssertEqual(error.code, code, "unexpected error: \(error)", file: file, line: line)
    } catch {
        XCTFail("expected CryptoError \(code), got \(error)", file: file, line: line)
    }
}

/// Deterministic pseudo-random bytes (xorshift), so payloads have no structure to compress.
func randomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        var v = state
        for _ in 0..<8 where i < count {
            out[i] = UInt8(truncatingIfNeeded: v)
            v >>= 8
            i += 1
        }
    }
    return out
}

/// `count` zero bytes produced on demand: a source that is never materialised.
struct ZeroByteSource: ByteSource {
    let count: Int
    func read(at offset: Int, length: Int) throws -> [UInt8] {
        [UInt8](repeating: 0, count: max(0, min(length, count - offset)))
    }
}

/// Peak resident set size (VmHWM) of this process since start or the last `resetPeakRSS()`, in
/// bytes; the same high-water mark `getrusage` reports as ru_maxrss, but resettable.
func peakRSS() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
    return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
}

/// Resets the peak RSS to the current RSS (Linux: "5" to /proc/self/clear_refs), so a
/// measurement is not masked by what earlier tests in the process used.
func resetPeakRSS() -> Bool {
    // Hand freed heap back to the system first, so memory earlier tests left resident cannot
    // absorb (and hide) what the measured code allocates.
    // (glibc's malloc_trim is not in Swift's Glibc module: look it up.)
    if let symbol = dlsym(nil, "malloc_trim") {
        _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
    }
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return write(fd, "5", 1) == 1
}

/// Current resident set size, in bytes (from /proc).
func currentRSS() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
