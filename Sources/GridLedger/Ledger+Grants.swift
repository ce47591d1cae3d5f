import GRDB
import GridCore

extension Ledger {
    /// True when the ledger already holds a grant from the mint to `account` (welcome grants are made once per peer;
    /// a transfer received does not count).
    public static func hasGrant(to account: Account, in db: Database) throws -> Bool {
        let sql = """
            SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE kind = 'grant' AND from_account = 'mint' AND to_account = ?)
            """
        return try Bool.fetchOne(db.cachedStatement(sql: sql), arguments: [account.description]) ?? false
    }
}
