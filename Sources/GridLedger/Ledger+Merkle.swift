import GRDB
import GridCore
import GridCrypto
import GridMerkle

extension Ledger {
    /// The origin line of a ledger's checkpoints: names the log by its operator.
    public static func origin(of operatorID: PeerID) -> String {
        LedgerLog.origin(of: operatorID)
    }

    /// The number of leaves in the ledger's Merkle tree (one per entry).
    public static func treeSize(in db: Database) throws -> UInt64 {
        UInt64(try head(in: db)?.seq ?? 0)
    }

    /// The Merkle root of the first `size` entries.
    public static func root(atSize size: UInt64, in db: Database) throws -> MerkleHash {
        try tree(in: db).root(atSize: size)
    }

    /// The inclusion proof of entry `seq` in the tree of the first `treeSize` entries.
    public static func inclusionProof(seq: Int64, treeSize: UInt64, in db: Database) throws -> InclusionProof {
        guard seq >= 1 else { throw ReceiptError.noSuchEntry(seq) }
        return try tree(in: db).inclusionProof(leafIndex: UInt64(seq - 1), treeSize: treeSize)
    }

    /// The consistency proof between the trees of the first `oldSize` and `newSize` entries.
    public static func consistencyProof(from oldSize: UInt64, to newSize: UInt64, in db: Database) throws
        -> ConsistencyProof {
        try tree(in: db).consistencyProof(from: oldSize, to: newSize)
    }

    /// Every stored checkpoint, smallest tree first.
    public static func checkpoints(in db: Database) throws -> [SignedCheckpoint] {
        try String.fetchAll(db, sql: "SELECT text FROM ledger_checkpoints ORDER BY size").map {
            try SignedCheckpoint(parsing: $0)
        }
    }

    /// The checkpoint of the largest tree, or nil when none was signed yet.
    public static func latestCheckpoint(in db: Database) throws -> SignedCheckpoint? {
        try String.fetchOne(db, sql: "SELECT text FROM ledger_checkpoints ORDER BY size DESC LIMIT 1")
            .map { try SignedCheckpoint(parsing: $0) }
    }

    /// Signs a checkpoint of the whole tree as the operator and stores it; returns nil (and stores nothing) when
    /// the latest checkpoint already covers every entry. Its timestamp is `timestamp`, or the latest checkpoint's
    /// when that is later.
    @discardableResult
    public static func signCheckpoint(as identity: Identity, timestamp: UInt64, in db: Database) throws
        -> SignedCheckpoint? {
        guard let operatorID = try LedgerSchema.operatorID(in: db), operatorID == identity.peerID else {
            throw ReceiptError.notOperator(identity.peerID)
        }
        let size = try treeSize(in: db)
        let latest = try latestCheckpoint(in: db)
        if let latest, latest.checkpoint.size >= size { return nil }
        // Never older than the checkpoint before it, even if the clock stepped back (verification requires it).
        let checkpoint = try Checkpoint(origin: origin(of: operatorID), size: size,
                                        root: try root(atSize: size, in: db),
                                        timestamp: max(timestamp, latest?.checkpoint.timestamp ?? 0))
        let signed = checkpoint.sign(with: identity)
        try db.execute(sql: "INSERT INTO ledger_checkpoints (size, text) VALUES (?, ?)",
                       arguments: [Int64(size), signed.serialized])
        return signed
    }

    /// A receipt proving that the entry settling `job` (its payment, else its last refund) is in the log, against
    /// the latest checkpoint.
    public static func receipt(forJob job: String, in db: Database) throws -> LedgerReceipt {
        let entries = try entries(forJob: job, in: db)
        guard let entry = entries.last(where: { $0.body.kind == .payment }) ?? entries.last(where: { $0.body.kind == .refund })
        else {
            throw ReceiptError.notSettled(job)
        }
        guard let checkpoint = try latestCheckpoint(in: db), checkpoint.checkpoint.size >= UInt64(entry.seq) else {
            throw ReceiptError.notCheckpointed(seq: entry.seq)
        }
        let proof = try inclusionProof(seq: entry.seq, treeSize: checkpoint.checkpoint.size, in: db)
        return LedgerReceipt(checkpoint: checkpoint, seq: entry.seq, leaf: entry.leafBytes, proof: proof)
    }

    /// A receipt proving every entry of `job` (escrow, results, payments, refund) against the latest checkpoint.
    /// Throws until the job has a result and the checkpoint covers its last entry.
    public static func jobReceipt(forJob job: String, in db: Database) throws -> JobReceipt {
        let entries = try entries(forJob: job, in: db)
        guard let last = entries.last, entries.contains(where: { $0.body.kind == .result }) else {
            throw ReceiptError.notSettled(job)
        }
        guard let checkpoint = try latestCheckpoint(in: db), checkpoint.checkpoint.size >= UInt64(last.seq) else {
            throw ReceiptError.notCheckpointed(seq: last.seq)
        }
        let size = checkpoint.checkpoint.size
        return JobReceipt(job: job, entries: try entries.map { entry in
            LedgerReceipt(checkpoint: checkpoint, seq: entry.seq, leaf: entry.leafBytes,
                          proof: try inclusionProof(seq: entry.seq, treeSize: size, in: db))
        })
    }

    static func tree(in db: Database) throws -> MerkleTree<LedgerTreeStore> {
        try MerkleTree(store: LedgerTreeStore(db: db), size: treeSize(in: db))
    }
}
