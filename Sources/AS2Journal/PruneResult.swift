/// What `Journal.prune` deleted.
public struct PruneResult: Sendable, Hashable {
    public var messages: Int
    public var events: Int

    public init(messages: Int, events: Int) {
        self.messages = messages
        self.events = events
    }
}
