/// The `Disposition` field of an MDN (RFC 4130 §7.4.3, §7.5; requirements §4.4):
/// `action-mode/sending-mode; type[/modifier[: description]]`.
public struct Disposition: Sendable, Equatable, CustomStringConvertible {
    /// `processed`, `failed` or any other type token (lowercased).
    public enum DispositionType: Sendable, Equatable {
        case processed
        case failed
        case other(String)

        init(token: String) {
            switch token {
            case "processed": self = .processed
            case "failed": self = .failed
            default: self = .other(token)
            }
        }

        public var token: String {
            switch self {
            case .processed: return "processed"
            case .failed: return "failed"
            case .other(let t): return t
            }
        }
    }

    /// The modifier after `/`, with its description text as received (trimmed).
    public enum Modifier: Sendable, Equatable {
        case error(String)
        case warning(String)
        case failure(String)
        /// A modifier keyword other than error, warning or failure (lowercased).
        case other(name: String, description: String)

        public var text: String {
            switch self {
            case .error(let t), .warning(let t), .failure(let t), .other(_, let t): return t
            }
        }
    }

    /// The `processed/error:` descriptions of RFC 4130 §7.5.4, plus the common
    /// `unknown-trading-partner`.
    public enum ErrorModifier: String, Sendable, CaseIterable {
        case decryptionFailed = "decryption-failed"
        case authenticationFailed = "authentication-failed"
        case integrityCheckFailed = "integrity-check-failed"
        case insufficientMessageSecurity = "insufficient-message-security"
        case decompressionFailed = "decompression-failed"
        case unexpectedProcessingError = "unexpected-processing-error"
        case unknownTradingPartner = "unknown-trading-partner"
    }

    /// `failed/Failure:` descriptions we generate (RFC 4130 §7.5.3, §7.5.6).
    public enum FailureText {
        public static let unsupportedFormat = "unsupported format"
        public static let unsupportedMICAlgorithms = "unsupported MIC-algorithms"
        public static let senderEqualsReceiver = "sender-equals-receiver"
    }

    public var actionMode: String = "automatic-action"
    public var sendingMode: String = "MDN-sent-automatically"
    public var type: DispositionType
    public var modifier: Modifier?

    public init(type: DispositionType, modifier: Modifier? = nil) {
        self.type = type
        self.modifier = modifier
    }

    /// Success: `processed`.
    public static let processed = Disposition(type: .processed)
    /// `processed/error: <e>`.
    public static func error(_ e: ErrorModifier) -> Disposition { Disposition(type: .processed, modifier: .error(e.rawValue)) }
    /// `failed/Failure: <text>`, e.g. `FailureText.unsupportedFormat`.
    public static func failure(_ text: String) -> Disposition { Disposition(type: .failed, modifier: .failure(text)) }
    /// `processed/warning: <text>`.
    public static func warning(_ text: String) -> Disposition { Disposition(type: .processed, modifier: .warning(text)) }

    /// Parses a received value tolerantly (R-DISP-1): unfolded; tokens case-insensitive; optional
    /// whitespace around `/`, `;` and `:`; `processed/Error:text` without spaces. A value without
    /// the mode part but starting with a type (`processed…`) gets the automatic modes.
    public init(parsing value: String) throws {
        let unfolded = FieldText.unfold(value)
        var rest: Substring
        if let semicolon = unfolded.firstIndex(of: ";") {
            let mode = unfolded[..<semicolon]
            rest = unfolded[unfolded.index(after: semicolon)...]
            let modes = mode.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard modes.count == 2 else {
                throw AS2FieldError(.invalidDisposition, "Disposition \"\(value)\" has no action-mode/sending-mode")
            }
            actionMode = Self.canonicalMode(FieldText.trim(modes[0]))
            sendingMode = Self.canonicalMode(FieldText.trim(modes[1]))
            guard !actionMode.isEmpty, !sendingMode.isEmpty else {
                throw AS2FieldError(.invalidDisposition, "Disposition \"\(value)\" has an empty mode")
            }
        } else {
            rest = Substring(unfolded)
            let head = FieldText.trim(rest).lowercased()
            guard head.hasPrefix("processed") || head.hasPrefix("failed") else {
                throw AS2FieldError(.invalidDisposition, "Disposition \"\(value)\" has no \";\" before the disposition type")
            }
        }
        // Disposition modifiers beyond the first (RFC 3798 ",") and extension parameters are ignored.
        if let extra = rest.firstIndex(of: ";") { rest = rest[..<extra] }
        let typeAndModifier = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let typeToken = FieldText.trim(typeAndModifier[0]).lowercased()
        guard !typeToken.isEmpty, !typeToken.contains(" ") else {
            throw AS2FieldError(.invalidDisposition, "Disposition \"\(value)\" has no disposition type")
        }
        type = DispositionType(token: typeToken)
        modifier = nil
        if typeAndModifier.count == 2 {
            let m = typeAndModifier[1]
            let keyword: String
            let description: String
            if let colon = m.firstIndex(of: ":") {
                keyword = FieldText.trim(m[..<colon]).lowercased()
                description = FieldText.trim(m[m.index(after: colon)...])
            } else {
                keyword = FieldText.trim(m).lowercased()
                description = ""
            }
            switch keyword {
            case "error": modifier = .error(description)
            case "warning": modifier = .warning(description)
            case "failure": modifier = .failure(description)
            case "": modifier = nil
            default: modifier = .other(name: keyword, description: description)
            }
        }
    }

    /// `automatic-action/MDN-sent-automatically; processed[/error: text]`. Modifier keywords are
    /// written `error`, `warning`, `Failure` as in RFC 4130's examples.
    public var headerValue: String {
        var out = "\(actionMode)/\(sendingMode); \(type.token)"
        switch modifier {
        case nil: break
        case .error(let t)?: out += "/error" + (t.isEmpty ? "" : ": \(t)")
        case .warning(let t)?: out += "/warning" + (t.isEmpty ? "" : ": \(t)")
        case .failure(let t)?: out += "/Failure" + (t.isEmpty ? "" : ": \(t)")
        case .other(let n, let t)?: out += "/\(n)" + (t.isEmpty ? "" : ": \(t)")
        }
        return out
    }

    public var description: String { headerValue }

    /// R-DISP-2: `processed` without a modifier, or with a warning.
    public var isSuccess: Bool {
        guard type == .processed else { return false }
        switch modifier {
        case nil, .warning?: return true
        default: return false
        }
    }

    /// `processed/warning…`: success, with something to surface.
    public var isWarning: Bool {
        if type == .processed, case .warning? = modifier { return true }
        return false
    }

    /// The standard error this disposition reports, when its error text is one (case-insensitive).
    public var errorModifier: ErrorModifier? {
        guard case .error(let t)? = modifier else { return nil }
        return ErrorModifier(rawValue: t.lowercased())
    }

    /// Equal modes (case-insensitive), type and modifier; modifier text compared case-insensitively.
    public static func == (a: Disposition, b: Disposition) -> Bool {
        a.actionMode.lowercased() == b.actionMode.lowercased() && a.sendingMode.lowercased() == b.sendingMode.lowercased()
            && a.type == b.type && normalized(a.modifier) == normalized(b.modifier)
    }

    private static func normalized(_ m: Modifier?) -> Modifier? {
        switch m {
        case nil: return nil
        case .error(let t)?: return .error(t.lowercased())
        case .warning(let t)?: return .warning(t.lowercased())
        case .failure(let t)?: return .failure(t.lowercased())
        case .other(let n, let t)?: return .other(name: n, description: t.lowercased())
        }
    }

    private static func canonicalMode(_ s: String) -> String {
        for known in ["automatic-action", "manual-action", "MDN-sent-automatically", "MDN-sent-manually"]
        where known.lowercased() == s.lowercased() {
            return known
        }
        return s
    }
}
