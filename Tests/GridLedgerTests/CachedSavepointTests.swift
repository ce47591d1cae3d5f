import GRDB
import Testing

@testable import GridLedger

/// `Database.inCachedSavepoint`, which the ledger and the matchmaker's writer use instead of GRDB's `inSavepoint`.
@Suite("Cached savepoints")
struct CachedSavepointTests {
    struct Refused: Error {}

    private func withTable(_ body: (DatabasePool) throws -> Void) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pool = try DatabaseFile.open(folder.path("f.sqlite"))
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (v INTEGER)") }
        try body(pool)
    }

    private func values(_ pool: DatabasePool) throws -> [Int] {
        try pool.read { db in try Int.fetchAll(db, sql: "SELECT v FROM t ORDER BY v") }
    }

    @Test("inside a transaction: a commit keeps, a rollback or a throw undoes only its own changes, nested too")
    func insideTransaction() throws {
        try withTable { pool in
            try pool.writeWithoutTransaction { db in
                try db.inTransaction {
                    try db.execute(sql: "INSERT INTO t VALUES (1)")
                    try db.inCachedSavepoint {
                        try db.execute(sql: "INSERT INTO t VALUES (2)")
                        return .commit
                    }
                    try db.inCachedSavepoint {
                        try db.execute(sql: "INSERT INTO t VALUES (3)")
                        return .rollback
                    }
                    #expect(throws: Refused.self) {
                        try db.inCachedSavepoint {
                            try db.execute(sql: "INSERT INTO t VALUES (4)")
                            throw Refused()
                        }
                    }
                    try db.inCachedSavepoint {
                        try db.execute(sql: "INSERT INTO t VALUES (5)")
                        #expect(throws: Refused.self) {
                            try db.inCachedSavepoint {
                                try db.execute(sql: "INSERT INTO t VALUES (6)")
                                throw Refused()
                            }
                        }
                        try db.inCachedSavepoint {
                            try db.execute(sql: "INSERT INTO t VALUES (7)")
                            return .commit
                        }
                        return .commit
                    }
                    #expect(db.isInsideTransaction)
                    return .commit
                }
            }
            #expect(try values(pool) == [1, 2, 5, 7])
        }
    }

    @Test("outside a transaction it opens one, committed or rolled back as a whole")
    func outsideTransaction() throws {
        try withTable { pool in
            try pool.writeWithoutTransaction { db in
                try db.inCachedSavepoint {
                    try db.execute(sql: "INSERT INTO t VALUES (1)")
                    return .commit
                }
                #expect(throws: Refused.self) {
                    try db.inCachedSavepoint {
                        try db.execute(sql: "INSERT INTO t VALUES (2)")
                        throw Refused()
                    }
                }
                #expect(!db.isInsideTransaction)
            }
            #expect(try values(pool) == [1])
        }
    }
}
