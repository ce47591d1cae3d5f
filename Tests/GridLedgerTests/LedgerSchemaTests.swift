import Foundation
import GRDB
import GridCore
import Testing

@testable import GridLedger

/// The schema's triggers keep every ledger table append-only, in new files and in files made by older builds.
@Suite("Ledger schema")
struct LedgerSchemaTests {
    let fixture = Fixture()

    /// Runs `sql` and returns the error SQLite raised, or nil when the statement went through.
    static func refusal(_ store: LedgerStore, _ sql: String) async throws -> String? {
        try await store.database.write { db in
            do {
                try db.execute(sql: sql)
                return nil
            } catch let error as DatabaseError {
                return error.message
            }
        }
    }

    static func signCheckpoint(_ store: LedgerStore, _ fixture: Fixture) async throws {
        _ = try await store.append(contentsOf: fixture.history())
        _ = try await store.database.write { db in
            try Ledger.signCheckpoint(as: fixture.operatorIdentity, timestamp: 5, in: db)
        }
    }

    @Test("whether a peer had its welcome grant is answered from an index, not by scanning every entry")
    func grantLookupUsesIndex() async throws {
        try await withLedger(fixture) { store in
            _ = try await store.append(contentsOf: fixture.history())
            let (plan, alice, nobody) = try await store.database.read { db in
                let plan = try Row.fetchAll(db, sql: """
                    EXPLAIN QUERY PLAN SELECT 1 FROM ledger_entries
                    WHERE kind = 'grant' AND from_account = 'mint' AND to_account = 'peer:x'
                    """).map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
                return (plan, try Ledger.hasGrant(to: .peer(fixture.alice.peerID), in: db),
                        try Ledger.hasGrant(to: .peer(fixture.worker.peerID), in: db))
            }
            #expect(plan.contains("ledger_entries_grants"), "\(plan)")
            #expect(alice && !nobody)
        }
    }

    @Test("entries, tree nodes and checkpoints refuse UPDATE and DELETE")
    func appendOnly() async throws {
        try await withLedger(fixture) { store in
            try await Self.signCheckpoint(store, fixture)
            for table in ["ledger_entries", "ledger_tree_nodes", "ledger_checkpoints"] {
                let column = table == "ledger_checkpoints" ? "text" : "hash"
                let update = try await Self.refusal(store, "UPDATE \(table) SET \(column) = \(column)")
                #expect(update?.contains("append-only") == true, "UPDATE \(table): \(update ?? "allowed")")
                let delete = try await Self.refusal(store, "DELETE FROM \(table)")
                #expect(delete?.contains("append-only") == true, "DELETE FROM \(table): \(delete ?? "allowed")")
            }
            let left = try await store.database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_checkpoints")
            }
            #expect(left == 1)
        }
    }

    @Test("a file made before checkpoints refused DELETE gets the trigger when it is opened")
    func oldFileIsMigrated() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("ledger.sqlite")
        do {
            let store = try LedgerStore(path: path, operator: fixture.operatorID)
            try await Self.signCheckpoint(store, fixture)
            // Make it look like a file from a build that stopped at ledger.v2.tree.
            try await store.database.write { db in
                try db.execute(sql: """
                    DROP TRIGGER ledger_checkpoints_no_delete;
                    DELETE FROM grdb_migrations WHERE identifier = 'ledger.v3.checkpoints-no-delete';
                    """)
            }
        }
        let reopened = try LedgerStore(path: path, operator: fixture.operatorID)
        let delete = try await Self.refusal(reopened, "DELETE FROM ledger_checkpoints")
        #expect(delete?.contains("append-only") == true, "\(delete ?? "allowed")")
        #expect(try await reopened.verify().isValid)
    }
}
