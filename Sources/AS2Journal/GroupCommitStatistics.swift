/// Counters of the group committer: how many write operations shared how many transactions.
public struct GroupCommitStatistics: Sendable, Hashable {
    /// Transactions committed.
    public var transactions: Int
    /// Of those, the ones fsynced (at least one operation asked for durability).
    public var durableTransactions: Int = 0
    /// Operations committed, successful or not (a failed operation rolls back only itself).
    public var operations: Int
    /// Largest number of operations one transaction carried.
    public var largestBatch: Int

    public init(transactions: Int, operations: Int, largestBatch: Int) {
        self.transactions = transactions
        self.operations = operations
        self.largestBatch = largestBatch
    }
}
