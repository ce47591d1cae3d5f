import GRDB
import GridCore
import GridMerkle

extension Ledger {
    /// What appending reads before it can write: the operator's claim, the head, the Merkle tree's right edge and the
    /// balances the entries touch.
    ///
    /// Everything in it is a function of the ledger's entries, so it stays true for as long as the head it was taken
    /// at is still the head: a rolled-back append moves the head back (or to a different hash), and the state is then
    /// loaded again. That is what lets `LedgerAppender` keep it from one append, and one transaction, to the next.
    struct AppendState {
        let operatorID: PeerID
        var head: Head?
        var edge: CompactMerkleTree
        var balances = BalanceCache()

        /// `previous` if it still describes the ledger in `db`, else the state loaded from `db`. `previous` is left
        /// nil, so the state returned is the only owner of its storage and changing it copies nothing.
        static func current(taking previous: inout AppendState?, operator operatorID: PeerID, in db: Database) throws
            -> AppendState {
            let head = try Ledger.head(in: db)
            let kept = previous
            previous = nil
            if let kept, kept.operatorID == operatorID, kept.head != nil, kept.head == head {
                return kept
            }
            try LedgerSchema.claim(operator: operatorID, in: db)
            let tree = try MerkleTree(store: LedgerTreeStore(db: db), size: UInt64(head?.seq ?? 0))
            return AppendState(operatorID: operatorID, head: head, edge: tree.compactTree)
        }
    }
}
