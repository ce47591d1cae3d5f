import Foundation
import GRDB
import GridMerkle

/// The ledger's Merkle node store: complete-subtree hashes in the `ledger_tree_nodes` table of the open database.
///
/// It works inside the caller's transaction, so an entry and the tree nodes it completes are written together.
struct LedgerTreeStore: MerkleNodeStore {
    let db: Database

    func node(level: Int, index: UInt64) throws -> MerkleHash? {
        let statement = try db.cachedStatement(sql: "SELECT hash FROM ledger_tree_nodes WHERE level = ? AND idx = ?")
        guard let data = try Data.fetchOne(statement, arguments: [level, Int64(bitPattern: index)]) else { return nil }
        return try MerkleHash(bytes: data)
    }

    mutating func put(_ nodes: [MerkleNode]) throws {
        guard !nodes.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO ledger_tree_nodes (level, idx, hash) VALUES (?, ?, ?)")
        for node in nodes {
            try statement.execute(arguments: [node.level, Int64(bitPattern: node.index), Data(node.hash.bytes)])
        }
    }
}
