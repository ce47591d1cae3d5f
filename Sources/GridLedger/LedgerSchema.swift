import GRDB
import GridCore
import GridMerkle

/// The ledger's tables, as named GRDB migrations that any database holding a ledger registers.
///
/// - `ledger_entries`: one row per entry, the body as columns, plus signature (and its batch proof, if any), previous
///   hash and hash.
/// - `ledger_balances`, `ledger_jobs`: a cache derived from the entries, updated in the same transaction as each
///   append so that checking an entry does not replay the ledger; `LedgerVerifier` recomputes and compares it.
/// - `ledger_meta`: the operator's peer id and the head (last seq and hash) recorded at the last append.
/// - `ledger_tree_nodes`: the complete-subtree hashes of the Merkle tree whose leaves are the entries' leaf bytes.
/// - `ledger_checkpoints`: the operator's signed checkpoints of the tree, by tree size.
public enum LedgerSchema {
    /// Registers the ledger's migrations, so a file can hold the ledger next to other tables (the matchmaker's jobs).
    public static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("ledger.v1") { db in
            try db.execute(sql: """
                CREATE TABLE ledger_meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE ledger_entries (
                    seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
                    kind TEXT NOT NULL CHECK (kind IN ('grant', 'escrow', 'payment', 'refund')),
                    from_account TEXT NOT NULL,
                    to_account TEXT NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    job TEXT,
                    author TEXT NOT NULL CHECK (length(author) = 64),
                    timestamp INTEGER NOT NULL,
                    memo TEXT,
                    signature BLOB NOT NULL CHECK (length(signature) = 64),
                    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
                    hash BLOB NOT NULL CHECK (length(hash) = 32)
                );
                CREATE INDEX ledger_entries_job ON ledger_entries(job) WHERE job IS NOT NULL;
                CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
                BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
                BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                CREATE TABLE ledger_balances (
                    account TEXT PRIMARY KEY NOT NULL,
                    balance INTEGER NOT NULL,
                    CHECK (account = 'mint' OR balance >= 0)
                ) WITHOUT ROWID;
                CREATE TABLE ledger_jobs (
                    job TEXT PRIMARY KEY NOT NULL,
                    submitter TEXT NOT NULL CHECK (length(submitter) = 64),
                    escrowed INTEGER NOT NULL CHECK (escrowed > 0),
                    paid INTEGER CHECK (paid > 0),
                    refunded INTEGER CHECK (refunded > 0),
                    CHECK (coalesce(paid, 0) + coalesce(refunded, 0) <= escrowed)
                ) WITHOUT ROWID;
                """)
        }
        registerTreeMigration(in: &migrator)
        registerCheckpointDeleteMigration(in: &migrator)
        registerResultsMigration(in: &migrator)
        registerForkEvidenceMigration(in: &migrator)
        registerCosignatureMigration(in: &migrator)
        migrator.registerMigration("ledger.grant-index") { db in
            // Whether a peer already had its welcome grant is asked at every submission: an index, not a scan.
            try db.execute(sql: """
                CREATE INDEX ledger_entries_grants ON ledger_entries(to_account)
                WHERE kind = 'grant' AND from_account = 'mint';
                """)
        }
        migrator.registerMigration("ledger.batch-signatures") { db in
            // An entry signed as part of a batch keeps its 64-byte signature and adds its proof in the batch here
            // (docs/ledger.md, "Batch signatures"); NULL for a plain signature, as every older entry has.
            try db.execute(sql: """
                ALTER TABLE ledger_entries ADD COLUMN signature_proof BLOB
                CHECK (signature_proof IS NULL OR length(signature_proof) >= 17);
                """)
        }
    }

    /// `ledger_cosignatures`: witnesses' signatures of stored checkpoints (docs/ledger.md, "Witnesses").
    static func registerCosignatureMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("ledger.cosignatures") { db in
            try db.execute(sql: """
                CREATE TABLE ledger_cosignatures (
                    size INTEGER NOT NULL,
                    witness TEXT NOT NULL CHECK (length(witness) = 64),
                    signature BLOB NOT NULL CHECK (length(signature) = 64),
                    PRIMARY KEY (size, witness)
                ) WITHOUT ROWID;
                CREATE TRIGGER ledger_cosignatures_no_update BEFORE UPDATE ON ledger_cosignatures
                BEGIN SELECT RAISE(ABORT, 'cosignatures are append-only'); END;
                """)
        }
    }

    /// `ledger_forks`: pairs of operator-signed checkpoints that cannot both be true, kept by a replica that refused
    /// to follow the second (docs/ledger.md, "Replicas"). Append-only, like the rest.
    static func registerForkEvidenceMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("ledger.replica-forks") { db in
            try db.execute(sql: """
                CREATE TABLE ledger_forks (
                    id INTEGER PRIMARY KEY,
                    detected_at INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    trusted TEXT NOT NULL,
                    conflicting TEXT NOT NULL
                );
                CREATE TRIGGER ledger_forks_no_update BEFORE UPDATE ON ledger_forks
                BEGIN SELECT RAISE(ABORT, 'fork evidence is append-only'); END;
                CREATE TRIGGER ledger_forks_no_delete BEFORE DELETE ON ledger_forks
                BEGIN SELECT RAISE(ABORT, 'fork evidence is append-only'); END;
                """)
        }
    }

    /// The Merkle tree over the entries (RFC 6962, see docs/merkle.md) and the operator's signed checkpoints.
    ///
    /// Registered separately so that a ledger made before the tree existed gets its tree built from its entries.
    static func registerTreeMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("ledger.v2.tree") { db in
            try db.execute(sql: """
                CREATE TABLE ledger_tree_nodes (
                    level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
                    idx INTEGER NOT NULL CHECK (idx >= 0),
                    hash BLOB NOT NULL CHECK (length(hash) = 32),
                    PRIMARY KEY (level, idx)
                ) WITHOUT ROWID;
                CREATE TRIGGER ledger_tree_nodes_no_update BEFORE UPDATE ON ledger_tree_nodes
                BEGIN SELECT RAISE(ABORT, 'ledger tree nodes are append-only'); END;
                CREATE TRIGGER ledger_tree_nodes_no_delete BEFORE DELETE ON ledger_tree_nodes
                BEGIN SELECT RAISE(ABORT, 'ledger tree nodes are append-only'); END;
                CREATE TABLE ledger_checkpoints (
                    size INTEGER PRIMARY KEY NOT NULL CHECK (size >= 0),
                    text TEXT NOT NULL
                );
                CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
                BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
                """)
            var tree = MerkleTree(store: LedgerTreeStore(db: db))
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Rows.columnsV1) FROM ledger_entries ORDER BY seq")
            while let row = try rows.next() {
                try tree.append(try Rows.entry(row).leafBytes)
            }
        }
    }

    /// Checkpoints refuse DELETE as well as UPDATE (ledger.v2.tree only refused UPDATE).
    ///
    /// A migration of its own, so files made before it get the trigger when they are next opened.
    static func registerCheckpointDeleteMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("ledger.v3.checkpoints-no-delete") { db in
            try db.execute(sql: """
                CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
                BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
                """)
        }
    }

    /// Result entries (kind `result`, amount 0, a `result` column with the record's encoding) and several payments per
    /// job (`ledger_jobs.payees`, the paid workers' peer ids in hex, comma-separated, in payment order).
    ///
    /// SQLite cannot change a CHECK constraint, so `ledger_entries` is rebuilt with the same rows; the tree, the
    /// checkpoints and the hashes are untouched (a result adds bytes to the canonical body of kind 5 only).
    static func registerResultsMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("ledger.v4.results") { db in
            let columns = Rows.columnsV1
            try db.execute(sql: """
                DROP TRIGGER ledger_entries_no_update;
                DROP TRIGGER ledger_entries_no_delete;
                CREATE TABLE ledger_entries_v4 (
                    seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
                    kind TEXT NOT NULL CHECK (kind IN ('grant', 'escrow', 'payment', 'refund', 'result')),
                    from_account TEXT NOT NULL,
                    to_account TEXT NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0 OR (kind = 'result' AND amount = 0)),
                    job TEXT,
                    author TEXT NOT NULL CHECK (length(author) = 64),
                    timestamp INTEGER NOT NULL,
                    memo TEXT,
                    signature BLOB NOT NULL CHECK (length(signature) = 64),
                    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
                    hash BLOB NOT NULL CHECK (length(hash) = 32),
                    result BLOB,
                    CHECK ((kind = 'result') = (result IS NOT NULL))
                );
                INSERT INTO ledger_entries_v4 (\(columns)) SELECT \(columns) FROM ledger_entries ORDER BY seq;
                DROP TABLE ledger_entries;
                ALTER TABLE ledger_entries_v4 RENAME TO ledger_entries;
                CREATE INDEX ledger_entries_job ON ledger_entries(job) WHERE job IS NOT NULL;
                CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
                BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
                BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                ALTER TABLE ledger_jobs ADD COLUMN payees TEXT;
                UPDATE ledger_jobs SET payees = (
                    SELECT substr(to_account, 6) FROM ledger_entries
                    WHERE ledger_entries.job = ledger_jobs.job AND kind = 'payment'
                ) WHERE paid IS NOT NULL;
                """)
        }
    }

    /// True when `db` has the ledger's tables.
    public static func isInstalled(in db: Database) throws -> Bool {
        try db.tableExists("ledger_entries") && db.tableExists("ledger_meta")
            && db.tableExists("ledger_balances") && db.tableExists("ledger_jobs")
    }

    /// The operator recorded in the file, or nil when none was recorded yet.
    public static func operatorID(in db: Database) throws -> PeerID? {
        guard let text = try metaValue("operator", in: db) else { return nil }
        guard let peer = PeerID(hex: text) else {
            throw LedgerError.corruptMeta("the operator \"\(text.prefix(80))\" is not 64 hex digits")
        }
        return peer
    }

    /// Records `operatorID` as the file's operator, or checks that it is the one already recorded.
    public static func claim(operator operatorID: PeerID, in db: Database) throws {
        if let stored = try Self.operatorID(in: db) {
            guard stored == operatorID else { throw LedgerError.operatorMismatch(stored: stored, given: operatorID) }
            return
        }
        try setMeta("operator", operatorID.hex, in: db)
    }

    static func metaValue(_ key: String, in db: Database) throws -> String? {
        let value = try DatabaseValue.fetchOne(db, sql: "SELECT value FROM ledger_meta WHERE key = ?", arguments: [key])
        switch value?.storage {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw LedgerError.corruptMeta("the value of \(key) is not text")
        }
    }

    static func setMeta(_ key: String, _ value: String, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO ledger_meta (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """)
        try statement.execute(arguments: [key, value])
    }
}
