/// The one error type of AS2Journal; compared by `code` only.
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Extensible error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }

        /// No message of that direction with that journal id.
        public static let messageNotFound = Code(rawValue: "message-not-found")
        /// The operation is not allowed in the message's current state.
        public static let invalidTransition = Code(rawValue: "invalid-transition")
        /// The database was written by a newer agent version (unknown migrations).
        public static let schemaTooNew = Code(rawValue: "schema-too-new")
        /// SQLite or the file system failed (disk full, I/O error, locked for too long, …).
        public static let storage = Code(rawValue: "storage")
        /// A stored value could not be read back (corrupt or hand-edited row).
        public static let corruptRow = Code(rawValue: "corrupt-row")
    }

    public let code: Code
    /// What went wrong, for an operator.
    public let message: String
    public let file: String
    public let line: UInt

    public var description: String { "journal \(code): \(message)" }

    public static func == (lhs: JournalError, rhs: JournalError) -> Bool { lhs.code == rhs.code }

    static func messageNotFound(_ id: Int64, _ direction: MessageDirection, file: String = #fileID, line: UInt = #line)
        -> JournalError
    {
        JournalError(code: .messageNotFound, message: "no \(direction) message with id \(id)", file: file, line: line)
    }

    static func invalidTransition(
        _ operation: String, id: Int64, state: String, file: String = #fileID, line: UInt = #line
    ) -> JournalError {
        JournalError(
            code: .invalidTransition, message: "\(operation) is not allowed for message \(id) in state \(state)",
            file: file, line: line)
    }

    static func schemaTooNew(_ path: String, file: String = #fileID, line: UInt = #line) -> JournalError {
        JournalError(
            code: .schemaTooNew, message: "\(path) was written by a newer as2-agent; refusing to use it",
            file: file, line: line)
    }

    static func storage(_ error: any Error, file: String = #fileID, line: UInt = #line) -> JournalError {
        if let error = error as? JournalError { return error }
        return JournalError(code: .storage, message: String(describing: error), file: file, line: line)
    }

    static func corruptRow(_ id: Int64?, _ what: String, file: String = #fileID, line: UInt = #line) -> JournalError {
        JournalError(
            code: .corruptRow, message: "message \(id.map(String.init) ?? "?"): \(what)", file: file, line: line)
    }
}
