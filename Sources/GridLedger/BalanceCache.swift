import GRDB
import GridCore
import GridLedgerModel

/// The balances and job settlements appending has read, kept across appends (bounded), and the ones the current
/// batch changed, which it writes back once at the batch's end.
struct BalanceCache {
    /// The most accounts and jobs kept between batches; past it the cache starts empty again.
    static let limit = 4_096

    /// The balances and settlements loaded so far, with the current batch's entries applied.
    var sheet = BalanceSheet()
    private var loadedAccounts: Set<Account> = []
    private var loadedJobs: Set<String> = []
    private var touchedAccounts: Set<Account> = []
    private var touchedJobs: Set<String> = []

    /// Starts a batch: nothing touched yet.
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

    /// The balance of `account` with every entry appended so far applied, when the cache holds it; nil when it would
    /// have to be read.
    func balance(of account: Account) -> Int64? {
        loadedAccounts.contains(account) ? sheet.balance(of: account) : nil
    }

    /// Accounts and jobs held.
    var count: Int { loadedAccounts.count + loadedJobs.count }

    /// Starts over once the cache holds more than `limit` accounts and jobs (jobs and their escrow accounts only
    /// ever grow in number).
    mutating func trim() {
        if count > Self.limit { self = BalanceCache() }
    }
}
