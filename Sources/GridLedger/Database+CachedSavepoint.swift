import GRDB

extension Database {
    /// `inSavepoint(_:)` with its statements prepared once per connection.
    ///
    /// GRDB's own compiles `SAVEPOINT` and `RELEASE SAVEPOINT` again each time; the matchmaker's writer opens a
    /// savepoint per queued write and the ledger one per append, thousands a second, and compiling those statements
    /// was an eighth of the writer's time (docs/PERFORMANCE.md). Same semantics: the operations' changes are kept
    /// when they return `.commit` and undone when they return `.rollback` or throw (the error is rethrown). Outside a
    /// transaction it is GRDB's `inSavepoint`, which opens one. Unlike GRDB's, it does not track whether SQLite aborted
    /// the enclosing transaction (after which a `RELEASE` or `ROLLBACK TO` fails and the enclosing GRDB transaction
    /// reports the error at its commit); both callers run inside a GRDB transaction.
    package func inCachedSavepoint(_ operations: () throws -> TransactionCompletion) throws {
        guard isInsideTransaction else {
            try inSavepoint(operations)
            return
        }
        try cachedStatement(sql: "SAVEPOINT grid").execute()
        let completion: TransactionCompletion
        do {
            completion = try operations()
        } catch {
            try? rollBackSavepoint()
            throw error
        }
        switch completion {
        case .commit: try cachedStatement(sql: "RELEASE SAVEPOINT grid").execute()
        case .rollback: try rollBackSavepoint()
        }
    }

    /// Undoes the innermost `grid` savepoint and leaves it.
    private func rollBackSavepoint() throws {
        try cachedStatement(sql: "ROLLBACK TO SAVEPOINT grid").execute()
        try cachedStatement(sql: "RELEASE SAVEPOINT grid").execute()
    }
}
