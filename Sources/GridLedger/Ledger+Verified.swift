import GRDB
import GridCore

extension Ledger {
    /// The size of the checkpoint the matchmaker last verified the ledger up to (`ledger_meta` key `verified`), or
    /// nil when it never did or the value is unreadable (then everything is checked).
    public static func verifiedSize(in db: Database) throws -> Int64? {
        guard let text = try LedgerSchema.metaValue("verified", in: db), let size = Int64(text), size > 0 else {
            return nil
        }
        return size
    }

    /// Records that the ledger was verified up to its checkpoint of `size` entries, which must be stored.
    ///
    /// A later `VerificationScope.since(size)` trusts what this check covered, but only while that checkpoint is
    /// still valid and its root still matches the entries: an edit to the file before it is still found.
    public static func recordVerified(size: Int64, in db: Database) throws {
        let stored = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_checkpoints WHERE size = ?",
                                        arguments: [size]) ?? 0
        guard stored == 1 else {
            throw LedgerError.invalidArgument("size", reason: "no checkpoint of \(size) entries is stored")
        }
        try LedgerSchema.setMeta("verified", String(size), in: db)
    }
}
