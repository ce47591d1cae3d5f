import Foundation
import GRDB
import GridCore
import GridCrypto
import GridMerkle

/// The ledger's operations on an open database, to call inside the caller's GRDB transaction.
///
/// Every function takes the `Database` of a `write` or `read` block, so the matchmaker can make a job insert and
/// its escrow one transaction. `LedgerStore` wraps the same operations for callers that own a whole file.
public enum Ledger {
    /// The last entry's seq and hash, or nil for an empty ledger.
    public struct Head: Hashable, Sendable {
        public let seq: Int64
        public let hash: [UInt8]
    }

    /// Checks `signed` (signature, authorship, credit rules against the current balances), then chains and inserts it.
    ///
    /// The first append to a database records `operatorID` as its operator; later appends must give the same one.
    /// A refusal throws a `LedgerError` naming the rule and writes nothing.
    @discardableResult
    public static func append(_ signed: SignedEntry, operator operatorID: PeerID, in db: Database) throws
        -> LedgerEntry
    {
        let entries = try appendBatch([signed], operator: operatorID, signatureChecks: nil, in: db)
        return entries[0]
    }

    /// Appends `entries` in order, all or none: a refusal names the entry's position and writes nothing.
    @discardableResult
    public static func append(
        contentsOf entries: [SignedEntry], operator operatorID: PeerID, in db: Database
    ) throws -> [LedgerEntry] {
        try appendBatch(entries, operator: operatorID, signatureChecks: nil, in: db)
    }

    /// Every account's balance, from the derived balance cache.
    public static func balances(in db: Database) throws -> [Account: Int64] {
        var balances: [Account: Int64] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT account, balance FROM ledger_balances")
        while let row = try rows.next() {
            let (account, balance, _) = try Rows.balance(row)
            balances[account] = balance
        }
        return balances
    }

    /// The balance of one account; zero for an account no entry touched.
    public static func balance(of account: Account, in db: Database) throws -> Int64 {
        try Rows.loadBalance(account, in: db) ?? 0
    }

    /// The settlement state of a job, or nil when it has no escrow.
    public static func settlement(ofJob job: String, in db: Database) throws -> JobSettlement? {
        try Rows.loadJob(job, in: db)
    }

    /// Up to `limit` entries with seq above `seq`, in order (for paging and for replicas pulling new entries).
    public static func entries(after seq: Int64, limit: Int, in db: Database) throws -> [LedgerEntry] {
        guard limit >= 0 else {
            throw LedgerError.invalidArgument("limit", reason: "it must be zero or more, got \(limit)")
        }
        let rows = try Row.fetchCursor(
            db, sql: "SELECT \(Rows.columns) FROM ledger_entries WHERE seq > ? ORDER BY seq LIMIT ?",
            arguments: [seq, limit])
        var entries: [LedgerEntry] = []
        while let row = try rows.next() {
            entries.append(try Rows.entry(row))
        }
        return entries
    }

    /// The entry with this seq, or nil.
    public static func entry(seq: Int64, in db: Database) throws -> LedgerEntry? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT \(Rows.columns) FROM ledger_entries WHERE seq = ?", arguments: [seq])
        else { return nil }
        return try Rows.entry(row)
    }

    /// The entries naming `job` (its escrow, payment and refund), in order.
    public static func entries(forJob job: String, in db: Database) throws -> [LedgerEntry] {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT \(Rows.columns) FROM ledger_entries WHERE job = ? ORDER BY seq", arguments: [job])
        var entries: [LedgerEntry] = []
        while let row = try rows.next() {
            entries.append(try Rows.entry(row))
        }
        return entries
    }

    /// The last entry's seq and stored hash, or nil for an empty ledger.
    public static func head(in db: Database) throws -> Head? {
        let statement = try db.cachedStatement(sql: "SELECT seq, hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
        guard let row = try Row.fetchOne(statement) else { return nil }
        let seq = try Rows.int64(row, 0, "seq", seq: 0)
        return Head(seq: seq, hash: try Rows.blob(row, 1, "hash", seq: seq, length: 32))
    }

    /// The shared append path; `signatureChecks[i]` is a precomputed signature check of `entries[i]`, if any.
    static func appendBatch(
        _ entries: [SignedEntry], operator operatorID: PeerID, signatureChecks: [Bool]?, in db: Database
    ) throws -> [LedgerEntry] {
        var state: AppendState?
        return try appendBatch(entries, operator: operatorID, signatureChecks: signatureChecks, state: &state, in: db)
    }

    /// The append path with what an earlier append left in `state` (see `LedgerAppender`).
    ///
    /// `state` is used only if it still describes the ledger (same operator, same head); otherwise it is loaded again,
    /// inside the batch's savepoint, so a refused first append leaves even the operator's claim unwritten. On success
    /// `state` describes the ledger after these entries; on a refusal or error it is nil.
    static func appendBatch(
        _ entries: [SignedEntry], operator operatorID: PeerID, signatureChecks: [Bool]?,
        state: inout AppendState?, in db: Database
    ) throws -> [LedgerEntry] {
        guard !entries.isEmpty else { return [] }
        // Moved, not copied: the state's dictionaries must have one owner when this batch changes them, or each
        // append would copy every balance the cache holds (copy on write).
        var previous = state
        state = nil
        var after: AppendState?
        var appended: [LedgerEntry] = []
        appended.reserveCapacity(entries.count)
        try db.inCachedSavepoint {
            var current = try AppendState.current(taking: &previous, operator: operatorID, in: db)
            var seq = current.head?.seq ?? 0
            var prevHash = current.head?.hash ?? LedgerEntry.genesisHash
            var tree = MerkleTree(store: LedgerTreeStore(db: db), compact: current.edge)
            current.balances.beginBatch()

            // Entries of one batch signature, checked here, cost one Ed25519 check between them.
            let cache = signatureChecks == nil ? SignatureCache(capacity: 16) : nil
            for (index, signed) in entries.enumerated() {
                let canonicalBody = signed.body.canonicalBytes
                do {
                    let valid = signatureChecks?[index]
                        ?? (signed.knownValid || signed.isSignatureValid(canonicalBody: canonicalBody, cache: cache))
                    guard valid else { throw LedgerError.badSignature(author: signed.body.author) }
                    try current.balances.load(for: signed.body, in: db)
                    try current.balances.sheet.apply(signed.body, operator: operatorID)
                } catch let error as LedgerError {
                    guard entries.count > 1 else { throw error }
                    throw LedgerError.refusedInBatch(index: index, count: entries.count, reason: error)
                }
                let (next, overflow) = seq.addingReportingOverflow(1)
                guard !overflow else { throw LedgerError.corruptRow(seq: seq, reason: "no seq can follow it") }
                seq = next
                let leaf = LedgerEntry.leafBytes(
                    prevHash: prevHash, seq: seq, canonicalBody: canonicalBody, signatureField: signed.signatureField)
                let entry = LedgerEntry(seq: seq, signed: signed, prevHash: prevHash, hash: Digest.sha256(leaf))
                try record(entry, leafBytes: leaf, tree: &tree, in: db)
                prevHash = entry.hash
                appended.append(entry)
            }
            try current.balances.saveBatch(in: db)
            try LedgerSchema.setMeta("head", "\(seq):\(Hex.encode(prevHash))", in: db)
            current.head = Head(seq: seq, hash: prevHash)
            current.edge = tree.compactTree
            current.balances.trim()
            after = current
            return .commit
        }
        state = after
        return appended
    }

    /// The one place an appended entry is stored; `leafBytes` are its hash preimage and its Merkle leaf, appended to
    /// the tree in the same transaction.
    private static func record(
        _ entry: LedgerEntry, leafBytes: [UInt8], tree: inout MerkleTree<LedgerTreeStore>, in db: Database
    ) throws {
        try Rows.insert(entry, in: db)
        try tree.append(leafBytes)
    }
}
