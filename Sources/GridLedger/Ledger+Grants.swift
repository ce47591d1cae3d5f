import GRDB
import GridCore

extension Ledger {
    /// True when the ledger already holds a grant to `account` (grants are made once per peer).
    public static func hasGrant(to account: Account, in db: Database) throws -> Bool {
        let sql = "SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE kind = 'grant' AND to_account = ?)"
        return try Bool.fetchOne(db, sql: sql, arguments: [account.description]) ?? false
    }
}
