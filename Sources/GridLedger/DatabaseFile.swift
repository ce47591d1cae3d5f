import GRDB

/// The one way a PeerGrid SQLite file is opened: a WAL `DatabasePool` with the same settings for every user
/// (the matchmaker, `grid ledger …`, tests), and the migrations of whoever owns the file run at open.
public enum DatabaseFile {
    /// Opens (creating if needed) the file at `path` and runs `migrations` when given.
    ///
    /// `synchronous = FULL`: a commit is on disk before the call returns, so an answer sent after a commit
    /// survives a power cut, not only a crash. Group commit (the matchmaker's writer) keeps that to one sync per
    /// batch of events.
    public static func open(_ path: String, migrations: DatabaseMigrator? = nil) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets `synchronous = NORMAL` on the writer when it turns WAL on, after `prepareDatabase`: set FULL
        // again on the pool's one writer connection, which keeps it for the life of the pool.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        if let migrations { try migrations.migrate(pool) }
        // After the migrations (which may sort or index whole tables, and should spill to disk doing it):
        // `temp_store = MEMORY` keeps the writer's sub-journal in memory. The matchmaker runs every operation of a
        // group commit in its own savepoint, and SQLite saves each page's original content for a savepoint's rollback
        // in that journal, which otherwise spills to a file in /var/tmp past 64 KiB (86% of the writer's `pwrite`
        // calls under load, measured). It is emptied as each savepoint is released; nothing durable lives there, and
        // the WAL and its syncs are unchanged. The writer's own sorts are held in memory too (it runs none on large
        // tables after the migrations).
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        return pool
    }
}
