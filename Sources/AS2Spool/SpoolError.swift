import AS2Bytes

/// The one error type of the folder contract: a code to branch on and a message an operator
/// understands (which folder, which file, what to do).
public struct SpoolError: Error, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A partner short name outside `[a-z0-9][a-z0-9._-]*`.
        case invalidPartnerName
        /// A name or path that the spool cannot use (empty, reserved, outside the outbox).
        case invalidName
        /// The file and its destination are on different filesystems, so rename(2) cannot move it.
        case crossDevice
        /// A claim folder whose manifest is missing or unreadable.
        case corruptClaim
        /// The `as2-agent-watch` program was not found or could not be started.
        case watchProgram
        /// A file-system call failed.
        case io
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Errors compare by code only, so tests and callers can match on the kind of failure.
    public static func == (a: SpoolError, b: SpoolError) -> Bool { a.code == b.code }

    /// Runs `body`, turning byte-layer failures into `SpoolError.io` with `context` in front.
    static func wrapping<T>(_ context: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SpoolError {
            throw error
        } catch let error as ByteError {
            if case let .io(_, _, errno) = error, errno == 18 /* EXDEV */ {
                throw SpoolError(.crossDevice, "\(context()): \(error) — the spool folders of a partner must be on one filesystem")
            }
            throw SpoolError(.io, "\(context()): \(error)")
        } catch {
            throw SpoolError(.io, "\(context()): \(error)")
        }
    }
}
