import Foundation

/// A minimal MIME splitter over exact bytes, independent of AS2MIME (the code under test), for
/// handing our output to the openssl CLI.
public enum MIMEBytes {
    /// Header text and body of an entity, split at the first CRLF CRLF.
    public static func splitEntity(_ entity: Data) throws -> (headers: String, body: Data) {
        guard let separator = entity.range(of: Data("\r\n\r\n".utf8)) else {
            throw InteropError.invalidArgument("entity has no CRLF CRLF between headers and body")
        }
        return (
            String(decoding: entity[entity.startIndex..<separator.lowerBound], as: UTF8.self),
            Data(entity[separator.upperBound...])
        )
    }

    /// The `boundary` parameter of a Content-Type value (quoted or not).
    public static func boundary(of contentType: String) throws -> String {
        guard let match = contentType.firstMatch(of: /boundary\s*=\s*"?([^";]+)"?/.ignoresCase()) else {
            throw InteropError.invalidArgument("no boundary in \(contentType)")
        }
        return String(match.1)
    }

    /// The first two body parts of a multipart body. RFC 2046: the CRLF before a delimiter
    /// belongs to the delimiter, so part 1 ends right before it.
    public static func splitMultipart(_ body: Data, boundary: String) throws -> (first: Data, second: Data) {
        let delimiter = Data("--\(boundary)".utf8)
        let crlf = Data("\r\n".utf8)
        guard let open = body.range(of: delimiter),
            let openEnd = body.range(of: crlf, in: open.upperBound..<body.endIndex),
            let middle = body.range(of: crlf + delimiter, in: openEnd.upperBound..<body.endIndex),
            let middleEnd = body.range(of: crlf, in: middle.upperBound..<body.endIndex),
            let close = body.range(of: crlf + delimiter + Data("--".utf8), in: middleEnd.upperBound..<body.endIndex)
        else {
            throw InteropError.invalidArgument("not a two-part multipart with boundary \(boundary)")
        }
        return (
            Data(body[openEnd.upperBound..<middle.lowerBound]),
            Data(body[middleEnd.upperBound..<close.lowerBound])
        )
    }

    /// The DER of a base64 signature part (its body, CR/LF ignored).
    public static func base64Body(of part: Data) throws -> Data {
        let (_, body) = try splitEntity(part)
        guard let der = Data(base64Encoded: body, options: .ignoreUnknownCharacters) else {
            throw InteropError.invalidArgument("signature part is not base64")
        }
        return der
    }
}
