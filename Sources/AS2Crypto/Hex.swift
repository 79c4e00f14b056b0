// Hex text for fingerprints, serial numbers and identifiers in messages.

/// Two lowercase hex digits.
func hexByte(_ b: UInt8) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    return String([digits[Int(b >> 4)], digits[Int(b & 0xf)]])
}

/// Lowercase hex without separators.
func hexString(_ bytes: [UInt8]) -> String { bytes.map(hexByte).joined() }
