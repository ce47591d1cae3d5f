import GRDB
import Testing

@testable import GridLedger

/// The one opener of PeerGrid's SQLite files.
@Suite("Database file")
struct DatabaseFileTests {
    @Test("the writer syncs every commit (synchronous = FULL), though GRDB turns WAL on with NORMAL")
    func writerIsFull() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pool = try DatabaseFile.open(folder.path("f.sqlite"))
        let synchronous = try pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2, "2 is FULL, 1 NORMAL")
        let journal = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test("the writer keeps its savepoints' sub-journal in memory, not in a file under /var/tmp")
    func writerSubJournalInMemory() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pool = try DatabaseFile.open(folder.path("f.sqlite"))
        let store = try pool.write { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") }
        #expect(store == 2, "2 is MEMORY, 0 the compile-time default (a file)")
    }
}
