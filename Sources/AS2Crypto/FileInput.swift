import AS2Bytes

// Reading key, certificate and PKCS #12 files, and turning AS2Bytes I/O errors into CryptoErrors.

/// True when `bytes` contain a PEM "-----BEGIN " line (otherwise they are taken as DER).
func looksLikePEM(_ bytes: [UInt8]) -> Bool {
    let marker = Array("-----BEGIN ".utf8)
    guard bytes.count >= marker.count else { return false }
    // PEM may be preceded by human-readable text ("Bag Attributes", openssl x509 -text output).
    for i in 0...(bytes.count - marker.count) where bytes[i] == 0x2d {
        if Array(bytes[i..<(i + marker.count)]) == marker { return true }
    }
    return false
}

/// Reads a whole (small) file: keys, certificates, PKCS #12.
func readFile(_ path: String, limit: Int) throws -> [UInt8] {
    do {
        return try FileByteSource(path: path).readAll(limit: limit)
    } catch let error as ByteError {
        throw CryptoError(.io, "\(path): \(error)")
    }
}

/// Wraps `ByteError`s from reading a source or writing a sink as `.io` errors.
func mapIOErrors<R>(_ what: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as ByteError {
        throw CryptoError(.io, "\(what): \(error)")
    }
}
