import Foundation
import GRDB
import GridMerkle

/// A minimal GRDB-backed node store for the benchmark; the ledger's own store lives in GridLedger.
///
/// One row per complete subtree, `(level, idx) -> hash`, in a WITHOUT ROWID table; WAL journal with
/// `synchronous = NORMAL`; each `put` batch is one write transaction with a cached prepared statement.
final class SQLiteNodeStore: MerkleNodeStore, Sendable {
    let database: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS merkle_nodes (
                    level INTEGER NOT NULL,
                    idx INTEGER NOT NULL,
                    hash BLOB NOT NULL CHECK (length(hash) = 32),
                    PRIMARY KEY (level, idx)
                ) WITHOUT ROWID
                """)
        }
    }

    func node(level: Int, index: UInt64) throws -> MerkleHash? {
        try database.read { db in
            let statement = try db.cachedStatement(sql: "SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")
            guard let data = try Data.fetchOne(statement, arguments: [level, Int64(index)]) else { return nil }
            return try MerkleHash(bytes: data)
        }
    }

    func put(_ nodes: [MerkleNode]) throws {
        try database.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
            for node in nodes {
                let hash = node.hash.withUnsafeBytes { Data($0) }
                try statement.execute(arguments: [node.level, Int64(node.index), hash])
            }
        }
    }
}
