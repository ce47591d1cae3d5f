import GRDB
import GridCore
import Synchronization

/// Appends to one ledger many times, keeping between appends what each would otherwise read again: the operator's
/// claim, the head, the Merkle tree's right edge (about 20 node reads at a million entries) and recently touched
/// balances.
///
/// It checks the head at every append (one indexed read) and loads everything again when the head is not the one it
/// left, so it stays correct when an append's transaction or savepoint was rolled back, or when someone else wrote
/// the file. The matchmaker's group-commit writer appends through one of these.
public final class LedgerAppender: Sendable {
    private let operatorID: PeerID
    private let state = Mutex<Ledger.AppendState?>(nil)

    /// An appender for the ledger of `operatorID` (each append also checks the file's operator, as `Ledger.append`).
    public init(operator operatorID: PeerID) {
        self.operatorID = operatorID
    }

    /// `Ledger.append(_:operator:in:)`, with what the last append left.
    @discardableResult
    public func append(_ signed: SignedEntry, in db: Database) throws -> LedgerEntry {
        try append(contentsOf: [signed], in: db)[0]
    }

    /// `append(_:in:)`, also returning the balance of `account` right after the entry: from what the appender holds
    /// (it holds every account the entry touched, unless it just started over at its limit), else read from the file.
    package func append(_ signed: SignedEntry, reportingBalanceOf account: Account, in db: Database) throws
        -> (entry: LedgerEntry, balance: Int64) {
        let (entry, held) = try state.withLock { state in
            let entry = try Ledger.appendBatch([signed], operator: operatorID, signatureChecks: nil, state: &state,
                                               in: db)[0]
            return (entry, state?.balances.balance(of: account))
        }
        return (entry, try held ?? Ledger.balance(of: account, in: db))
    }

    /// Accounts and jobs whose balances it holds now (nil when it holds nothing), for tests.
    var cachedBalances: Int? {
        state.withLock { $0?.balances.count }
    }

    /// `Ledger.append(contentsOf:operator:in:)`, with what the last append left.
    @discardableResult
    public func append(contentsOf entries: [SignedEntry], in db: Database) throws -> [LedgerEntry] {
        try state.withLock { state in
            try Ledger.appendBatch(entries, operator: operatorID, signatureChecks: nil, state: &state, in: db)
        }
    }
}
