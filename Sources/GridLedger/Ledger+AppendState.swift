import GRDB
import GridCore
import GridLedgerModel
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

        /// `previous` if it still describes the ledger in `db`, else the state loaded from `db`.
        static func current(_ previous: AppendState?, operator operatorID: PeerID, in db: Database) throws
            -> AppendState {
            let head = try Ledger.head(in: db)
            if let previous, previous.operatorID == operatorID, previous.head != nil, previous.head == head {
                return previous
            }
            try LedgerSchema.claim(operator: operatorID, in: db)
            let tree = try MerkleTree(store: LedgerTreeStore(db: db), size: UInt64(head?.seq ?? 0))
            return AppendState(operatorID: operatorID, head: head, edge: tree.compactTree)
        }
    }
}

/// The balances and job settlements appending has read, kept across appends (bounded), and the ones the current
/// batch changed, which it writes back once at the batch's end.
struct BalanceCache {
    /// The most accounts and jobs kept between batches; past it the cache starts empty again.
    static let limit = 4_096

    var sheet = BalanceSheet()
    private var loadedAccounts: Set<Account> = []
    private var loadedJobs: Set<String> = []
    private var touchedAccounts: Set<Account> = []
    private var touchedJobs: Set<String> = []

    mutating func beginBatch() {
        touchedAccounts.removeAll(keepingCapacity: true)
        touchedJobs.removeAll(keepingCapacity: true)
    }

    /// Reads what `body` touches that the cache does not hold yet, and marks it for writing back.
    mutating func load(for body: EntryBody, in db: Database) throws {
        for account in [body.from, body.to] {
            touchedAccounts.insert(account)
            guard !loadedAccounts.contains(account) else { continue }
            if let balance = try Rows.loadBalance(account, in: db) {
                sheet.seed(account, balance: balance)
            }
            loadedAccounts.insert(account)
        }
        if let job = body.from.job ?? body.to.job {
            touchedJobs.insert(job)
            guard !loadedJobs.contains(job) else { return }
            if let settlement = try Rows.loadJob(job, in: db) {
                sheet.seed(job: job, settlement)
            }
            loadedJobs.insert(job)
        }
    }

    /// Writes back what this batch changed.
    func saveBatch(in db: Database) throws {
        for account in touchedAccounts {
            if let balance = sheet.balances[account] {
                try Rows.saveBalance(account, balance, in: db)
            }
        }
        for job in touchedJobs {
            if let settlement = sheet.jobs[job] {
                try Rows.saveJob(job, settlement, in: db)
            }
        }
    }

    /// Starts over once the cache holds more than `limit` accounts and jobs (jobs and their escrow accounts only
    /// ever grow in number).
    mutating func trim() {
        if loadedAccounts.count + loadedJobs.count > Self.limit { self = BalanceCache() }
    }
}
