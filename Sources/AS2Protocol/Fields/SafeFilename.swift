/// Turns a partner-supplied file name into a safe base name for the inbox (RFC 2183 §2.3;
/// requirements R-PL-5, acceptance cases 55–56). The result never names a directory, a parent,
/// a hidden file or a Windows device, so it can be joined to a folder path as is.
public enum SafeFilename {
    /// Longest result, in UTF-8 bytes (the common file-system limit).
    public static let maxBytes = 255

    /// The last path component (after the last `/` or `\`) with control characters removed,
    /// `:` `<` `>` `"` `|` `?` `*` replaced by `_`, leading dots and spaces and trailing dots and
    /// spaces removed, a Windows device name (`CON`, `NUL`, `COM1`, … with any extension)
    /// prefixed with `_`, and at most 255 UTF-8 bytes (the extension kept when truncating). Nil
    /// when nothing usable is left.
    public static func sanitize(_ raw: String) -> String? {
        var name = Substring(raw)
        if let sep = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) { name = name[name.index(after: sep)...] }
        var scalars = String.UnicodeScalarView()
        for s in name.unicodeScalars {
            if s.value < 0x20 || (s.value >= 0x7F && s.value <= 0x9F) || s.properties.generalCategory == .format
                || s.properties.generalCategory == .lineSeparator || s.properties.generalCategory == .paragraphSeparator
            {
                continue  // controls, NUL, bidi overrides and other invisible format characters
            }
            scalars.append(":<>\"|?*".unicodeScalars.contains(s) ? "_" : s)
        }
        var result = String(scalars)
        while let f = result.first, f == "." || f == " " { result.removeFirst() }
        while let l = result.last, l == "." || l == " " { result.removeLast() }
        guard !result.isEmpty else { return nil }
        if isWindowsDeviceName(result) { result = "_" + result }
        result = truncated(result)
        return result.isEmpty ? nil : result
    }

    /// A name for content that came without a usable file name: `msg-` followed by the
    /// Message-ID (brackets removed) reduced to letters, digits, `.`, `-`, `_`, `@`, `+`.
    public static func fromMessageID(_ messageID: String) -> String {
        let key = MessageID.normalizedKey(messageID)
        var body = String(key.unicodeScalars.map { s -> Character in
            let v = s.value
            let ok = (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || "._-@+".unicodeScalars.contains(s)
            return ok ? Character(s) : "_"
        })
        while body.hasSuffix(".") { body.removeLast() }
        if body.isEmpty { body = "unnamed" }
        return "msg-" + String(body.prefix(200))
    }

    private static func isWindowsDeviceName(_ name: String) -> Bool {
        let stem = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let upper = FieldText.trim(stem).uppercased()
        if ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"].contains(upper) { return true }
        if upper.count == 4, upper.hasPrefix("COM") || upper.hasPrefix("LPT") {
            return "0123456789¹²³".contains(upper.last!)
        }
        return false
    }

    /// `name` cut to `maxBytes` UTF-8 bytes at a character boundary, keeping a short extension.
    private static func truncated(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        var ext = ""
        var stem = Substring(name)
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let candidate = name[dot...]
            if candidate.utf8.count <= 32 {
                ext = String(candidate)
                stem = name[..<dot]
            }
        }
        var out = ""
        var used = ext.utf8.count
        for c in stem {
            let n = String(c).utf8.count
            if used + n > maxBytes { break }
            out.append(c)
            used += n
        }
        while let l = out.last, l == "." || l == " " { out.removeLast() }
        return out + ext
    }
}
