import Dispatch
import Foundation
import GRDB
import GridCore
import Logging

/// A ledger file: a GRDB `DatabasePool` (one writer, WAL) with the ledger's migrations run at open.
///
/// Used by the CLI (`grid ledger balances/show/verify`) and by tests; the matchmaker may share `database`
/// for its own tables and call `Ledger`'s functions inside its own transactions.
public struct LedgerStore: Sendable {
    /// The file's path.
    public let path: String
    /// The peer that sequences this ledger and authors grants, payments and refunds.
    public let operatorID: PeerID
    /// The underlying GRDB writer, for callers that add their own tables and transactions.
    public let database: any DatabaseWriter
    private let logger: Logger

    /// Opens the ledger at `path`, creating it if needed, with `operatorID` as its operator.
    ///
    /// Throws `LedgerError` when the file records another operator or is not a usable database.
    public init(path: String, operator operatorID: PeerID, logger: Logger = Logger(label: "grid.ledger")) throws {
        let pool = try Self.openPool(path)
        try pool.write { db in try LedgerSchema.claim(operator: operatorID, in: db) }
        self.init(path: path, operatorID: operatorID, database: pool, logger: logger)
        logger.debug("ledger opened", metadata: [
            "grid.ledger.path": "\(path)", "grid.ledger.operator": "\(operatorID.short)",
        ])
    }

    /// Opens an existing ledger file, reading its operator from the file (for `grid ledger verify PATH`).
    public init(existingAt path: String, logger: Logger = Logger(label: "grid.ledger")) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError.notALedger(path, reason: "no such file")
        }
        let pool = try Self.openPool(path, migrate: false)
        let operatorID = try Self.wrappingSQLiteErrors(path) {
            try pool.read { db -> PeerID? in
                guard try LedgerSchema.isInstalled(in: db) else {
                    throw LedgerError.notALedger(path, reason: "it has no ledger tables")
                }
                return try LedgerSchema.operatorID(in: db)
            }
        }
        guard let operatorID else {
            throw LedgerError.notALedger(path, reason: "it records no operator")
        }
        try Self.wrappingSQLiteErrors(path) { try Self.migrator.migrate(pool) }
        self.init(path: path, operatorID: operatorID, database: pool, logger: logger)
    }

    /// Wraps a database that already ran `LedgerSchema.registerMigrations`, with `operatorID` as its operator.
    public init(
        database: any DatabaseWriter, operator operatorID: PeerID, logger: Logger = Logger(label: "grid.ledger")
    ) throws {
        try database.write { db in
            guard try LedgerSchema.isInstalled(in: db) else {
                throw LedgerError.notALedger(database.path, reason: "the ledger migrations were not run on it")
            }
            try LedgerSchema.claim(operator: operatorID, in: db)
        }
        self.init(path: database.path, operatorID: operatorID, database: database, logger: logger)
    }

    private init(path: String, operatorID: PeerID, database: any DatabaseWriter, logger: Logger) {
        self.path = path
        self.operatorID = operatorID
        self.database = database
        self.logger = logger
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        LedgerSchema.registerMigrations(in: &migrator)
        return migrator
    }

    private static func openPool(_ path: String, migrate: Bool = true) throws -> DatabasePool {
        try wrappingSQLiteErrors(path) { try DatabaseFile.open(path, migrations: migrate ? migrator : nil) }
    }

    /// Runs `body`, turning SQLite errors (not a database, unreadable, locked) into `LedgerError.notALedger`.
    private static func wrappingSQLiteErrors<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw LedgerError.notALedger(path, reason: error.message ?? "SQLite error \(error.resultCode)")
        }
    }

    /// Appends one entry; see `Ledger.append(_:operator:in:)`.
    @discardableResult
    public func append(_ signed: SignedEntry) async throws -> LedgerEntry {
        let operatorID = operatorID
        do {
            return try await database.write { db in try Ledger.append(signed, operator: operatorID, in: db) }
        } catch let error as LedgerError {
            logger.debug("ledger entry refused", metadata: ["grid.ledger.kind": "\(signed.body.kind)"])
            throw error
        }
    }

    /// Appends a batch, all or none; signatures are checked in parallel before the write transaction.
    @discardableResult
    public func append(contentsOf entries: [SignedEntry]) async throws -> [LedgerEntry] {
        let operatorID = operatorID
        let checks = Self.checkSignatures(entries)
        return try await database.write { db in
            try Ledger.appendBatch(entries, operator: operatorID, signatureChecks: checks, in: db)
        }
    }

    /// Every account's balance.
    public func balances() async throws -> [Account: Int64] {
        try await database.read { db in try Ledger.balances(in: db) }
    }

    /// One account's balance; zero for an account no entry touched.
    public func balance(of account: Account) async throws -> Int64 {
        try await database.read { db in try Ledger.balance(of: account, in: db) }
    }

    /// A job's settlement state, or nil when it has no escrow.
    public func settlement(ofJob job: String) async throws -> JobSettlement? {
        try await database.read { db in try Ledger.settlement(ofJob: job, in: db) }
    }

    /// Up to `limit` entries after `seq`, in order.
    public func entries(after seq: Int64, limit: Int) async throws -> [LedgerEntry] {
        try await database.read { db in try Ledger.entries(after: seq, limit: limit, in: db) }
    }

    /// The entry with this seq, or nil.
    public func entry(seq: Int64) async throws -> LedgerEntry? {
        try await database.read { db in try Ledger.entry(seq: seq, in: db) }
    }

    /// The entries naming `job`, in order.
    public func entries(forJob job: String) async throws -> [LedgerEntry] {
        try await database.read { db in try Ledger.entries(forJob: job, in: db) }
    }

    /// The last entry's seq and hash, or nil for an empty ledger.
    public func head() async throws -> Ledger.Head? {
        try await database.read { db in try Ledger.head(in: db) }
    }

    /// Re-checks the file; see `LedgerVerifier.verify(in:operator:scope:)`.
    public func verify(scope: VerificationScope = .full) async throws -> LedgerVerification {
        let operatorID = operatorID
        let result = try await database.read { db in LedgerVerifier.verify(in: db, operator: operatorID, scope: scope) }
        if let failure = result.failure {
            logger.warning("ledger verification failed", metadata: [
                "grid.ledger.path": "\(path)", "grid.ledger.seq": "\(failure.seq.map(String.init) ?? "-")",
            ])
        }
        return result
    }

    /// Each entry's signature check, computed on all cores for large batches; nil for small ones. A batch signature
    /// shared by several entries is checked once.
    static func checkSignatures(_ entries: [SignedEntry]) -> [Bool]? {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard entries.count >= 64, cores > 1 else { return nil }
        let cache = SignatureCache(capacity: 64)
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: entries.count)
        defer { results.deallocate() }
        results.initialize(repeating: false)
        nonisolated(unsafe) let shared = results
        let chunks = min(cores, entries.count)
        let chunkSize = (entries.count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize
            let end = min(start + chunkSize, entries.count)
            guard start < end else { return }
            for index in start..<end {
                shared[index] = entries[index].isSignatureValid(cache: cache)
            }
        }
        return Array(results)
    }
}
