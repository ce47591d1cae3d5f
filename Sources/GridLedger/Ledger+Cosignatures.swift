import Foundation
import GRDB
import GridCore
import GridMerkle

extension Ledger {
    /// Stores `cosignature` after checking it: a checkpoint of its size must be stored, and the signature must be the
    /// witness's cosignature of exactly that checkpoint. Storing one twice is harmless. Returns how many witnesses
    /// have cosigned that checkpoint.
    @discardableResult
    public static func addCosignature(_ cosignature: LedgerCosignature, in db: Database) throws -> Int {
        guard let text = try String.fetchOne(db, sql: "SELECT text FROM ledger_checkpoints WHERE size = ?",
                                             arguments: [Int64(clamping: cosignature.size)]) else {
            throw LedgerError.invalidArgument(
                "cosignature", reason: "no checkpoint of \(cosignature.size) entries is stored here")
        }
        let checkpoint = try SignedCheckpoint(parsing: text).checkpoint
        guard Cosignature.isValid(Array(cosignature.signature), by: cosignature.witness, of: checkpoint) else {
            throw LedgerError.invalidArgument(
                "cosignature", reason: "it is not peer \(cosignature.witness.short)'s signature of the checkpoint of "
                    + "\(cosignature.size) entries")
        }
        try db.execute(sql: """
            INSERT INTO ledger_cosignatures (size, witness, signature) VALUES (?, ?, ?)
            ON CONFLICT (size, witness) DO NOTHING
            """, arguments: [Int64(clamping: cosignature.size), cosignature.witness.hex, cosignature.signature])
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_cosignatures WHERE size = ?",
                                arguments: [Int64(clamping: cosignature.size)]) ?? 0
    }

    /// The cosignatures stored for the checkpoint of `size` entries, by witness id.
    public static func cosignatures(size: UInt64, in db: Database) throws -> [LedgerCosignature] {
        guard try db.tableExists("ledger_cosignatures") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT witness, signature FROM ledger_cosignatures WHERE size = ? ORDER BY witness",
                                arguments: [Int64(clamping: size)]).compactMap { row in
            guard let witness = PeerID(hex: try row.decode(String.self, atIndex: 0)) else { return nil }
            return LedgerCosignature(size: size, witness: witness, signature: try row.decode(Data.self, atIndex: 1))
        }
    }

    /// A sentence naming the equivocation when `signed`, validly signed by the operator, disagrees with this ledger's
    /// tree at its size; nil when it agrees or cannot be judged (its size is beyond the ledger).
    public static func equivocation(of signed: SignedCheckpoint, operator operatorID: PeerID, in db: Database) throws
        -> String? {
        let checkpoint = signed.checkpoint
        guard (try? signed.verify(publicKey: operatorID.publicKey)) != nil,
              checkpoint.origin == origin(of: operatorID), checkpoint.size <= (try treeSize(in: db)) else { return nil }
        let root = try root(atSize: checkpoint.size, in: db)
        guard root != checkpoint.root else { return nil }
        return "Equivocation: the operator signed a checkpoint of \(checkpoint.size) entries with root "
            + "\(checkpoint.root.hex.prefix(16))…, but this ledger's first \(checkpoint.size) entries have root "
            + "\(root.hex.prefix(16))…; the checkpoint is:\n" + signed.serialized
    }
}
