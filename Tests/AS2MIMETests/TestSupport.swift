import AS2Bytes
import XCTest

@testable import AS2MIME

extension Array where Element == UInt8 {
    init(_ s: String) { self = Swift.Array(s.utf8) }
}

/// The same bytes as one buffer, a file, and a concatenation of 1-byte pieces.
func equivalentSources(_ bytes: [UInt8], directory: String) throws -> [(String, any ByteSource)] {
    let path = directory + "/src-\(UInt64.random(in: 0...UInt64.max)).bin"
    try AtomicFile.write(bytes, to: path, sync: false)
    return [
        ("memory", MemoryByteSource(bytes)),
        ("file", try FileByteSource(path: path)),
        ("1-byte pieces", ConcatenatedByteSource(bytes.map { MemoryByteSource([$0]) })),
    ]
}

/// A fresh temporary directory, removed by the returned closure.
func makeTemporaryDirectory() throws -> (String, () -> Void) {
    let dir = NSTemporaryDirectory() + "as2mime-\(UUID().uuidString)"
    try FileSystem.createDirectory(dir)
    return (dir, { try? FileManager.default.removeItem(atPath: dir) })
}

func XCTAssertMIMEError<T>(
    _ code: MIMEError.Code, _ expression: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try expression(), file: file, line: line) { error in
        guard let e = error as? MIMEError else {
            return XCTFail("expected MIMEError \(code), got \(error)", file: file, line: line)
        }
        XCTAssertEqual(e.code, code, "\(e.message)", file: file, line: line)
    }
}

func readAll(_ s: some ByteSource) throws -> [UInt8] { try s.readAll() }
