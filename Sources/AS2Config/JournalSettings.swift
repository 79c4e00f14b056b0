/// `[journal]`: how long message history and duplicate-detection keys are kept (requirements R-DUP-1).
public struct JournalSettings: Sendable, Equatable {
    /// Days a finished message's journal row (and its MDN evidence) is kept.
    public var historyDays: Int
    /// Days an inbound Message-ID is remembered to suppress duplicates; at least the partners' retry window.
    public var duplicateDays: Int

    public static let `default` = JournalSettings()

    public init(historyDays: Int = 365, duplicateDays: Int = 30) {
        self.historyDays = historyDays
        self.duplicateDays = duplicateDays
    }
}
