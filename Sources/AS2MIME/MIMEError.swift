/// A MIME entity could not be parsed or decoded. `code` says what kind of problem it is (callers map
/// it to an HTTP status or MDN disposition); `message` says where, for an operator's log line.
/// Errors compare by code only.
public struct MIMEError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A header line is not `name: value`, or the entity has no header block at all.
        public static let malformedHeader = Code("malformedHeader")
        /// The header block is longer than `MIMELimits.maxHeaderBytes`.
        public static let headerTooLarge = Code("headerTooLarge")
        /// More header fields than `MIMELimits.maxHeaderCount`.
        public static let tooManyHeaders = Code("tooManyHeaders")
        /// A multipart entity has no boundary parameter, or its body holds no delimiter line.
        public static let missingBoundary = Code("missingBoundary")
        /// A multipart body ends without its close delimiter.
        public static let unterminatedMultipart = Code("unterminatedMultipart")
        /// More body parts than `MIMELimits.maxParts`.
        public static let tooManyParts = Code("tooManyParts")
        /// Base64 content with a character outside the alphabet, bad padding or data after padding.
        public static let invalidBase64 = Code("invalidBase64")
        /// A quoted-printable `=` not followed by two hex digits or a line break.
        public static let invalidQuotedPrintable = Code("invalidQuotedPrintable")
        /// A Content-Type (or Content-Disposition) value that is not `type/subtype *(; parameter)`.
        public static let invalidContentType = Code("invalidContentType")
        /// Multiparts nested deeper than `MIMELimits.maxDepth`.
        public static let depthExceeded = Code("depthExceeded")
        /// A Content-Transfer-Encoding other than 7bit, 8bit, binary, base64 or quoted-printable.
        public static let unsupportedTransferEncoding = Code("unsupportedTransferEncoding")
    }

    public let code: Code
    public let message: String
    /// Where the error was raised, for debugging.
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "MIME \(code): \(message)" }

    public static func == (a: MIMEError, b: MIMEError) -> Bool { a.code == b.code }

    static func malformedHeader(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.malformedHeader, m, file: file, line: line)
    }
    static func headerTooLarge(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.headerTooLarge, m, file: file, line: line)
    }
    static func tooManyHeaders(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.tooManyHeaders, m, file: file, line: line)
    }
    static func missingBoundary(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.missingBoundary, m, file: file, line: line)
    }
    static func unterminatedMultipart(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.unterminatedMultipart, m, file: file, line: line)
    }
    static func tooManyParts(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.tooManyParts, m, file: file, line: line)
    }
    static func invalidBase64(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.invalidBase64, m, file: file, line: line)
    }
    static func invalidQuotedPrintable(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.invalidQuotedPrintable, m, file: file, line: line)
    }
    static func invalidContentType(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.invalidContentType, m, file: file, line: line)
    }
    static func depthExceeded(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.depthExceeded, m, file: file, line: line)
    }
    static func unsupportedTransferEncoding(_ m: String, file: String = #fileID, line: Int = #line) -> MIMEError {
        MIMEError(.unsupportedTransferEncoding, m, file: file, line: line)
    }
}
