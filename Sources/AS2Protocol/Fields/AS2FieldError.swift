/// An AS2 header or MDN field value that cannot be used. `code` says which field kind; `message`
/// names the problem for an operator's log line. Compared by code only.
public struct AS2FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// AS2-From / AS2-To outside the RFC 4130 §6.2 grammar (requirements R-ID-1, R-ID-3).
        public static let invalidAS2Name = Code("invalidAS2Name")
        /// A Disposition field that is not `action/sending; type[/modifier]` (§4.4).
        public static let invalidDisposition = Code("invalidDisposition")
        /// A Received-Content-MIC that is not `base64, algorithm` (§3.5).
        public static let invalidReceivedContentMIC = Code("invalidReceivedContentMIC")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func == (a: AS2FieldError, b: AS2FieldError) -> Bool { a.code == b.code }
}
