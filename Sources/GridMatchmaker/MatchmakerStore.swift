import Foundation
import GRDB
import GridCore
import GridCrypto
import GridLedger
import GridMerkle

/// The matchmaker's SQLite file: the job queue and the credit ledger, so that a job and its escrow are stored in
/// one transaction before the submitter hears back.
public final class MatchmakerStore: Sendable {
    let database: DatabasePool
    /// Group commit for the running matchmaker (`MatchmakerStore+GroupCommit.swift`).
    let writer: GroupCommitWriter
    let identity: Identity
    /// Every append to the ledger goes through it, so appends need not read the head and the tree again each time.
    let ledger: LedgerAppender
    /// Who is granted credits, how many, and how many at most per period (`MatchmakerStore+Grants.swift`).
    public let grants: GrantPolicy
    /// Clients' batch signatures of escrows already checked, so a submitted batch costs one Ed25519 check.
    let escrowSignatures = SignatureCache()

    /// Opens the file and checks its ledger before anything is written to it (`LedgerCheck`): a ledger that fails
    /// is refused with a `MatchmakerError` naming the first bad entry, and nothing is written.
    public init(path: String, identity: Identity, grants: GrantPolicy, ledgerCheck: LedgerCheck = .sinceVerified,
                now: Int64 = UnixTime.nowMillis()) throws {
        database = try DatabaseFile.open(path, migrations: Self.migrations)
        self.identity = identity
        self.grants = grants
        writer = GroupCommitWriter(database: database)
        let operatorID = identity.peerID
        ledger = LedgerAppender(operator: operatorID)
        let verification = try database.read { db in
            let scope: VerificationScope = switch ledgerCheck {
            case .full: .full
            case .sinceVerified: try Ledger.verifiedSize(in: db).map { .since($0) } ?? .full
            }
            return LedgerVerifier.verify(in: db, operator: operatorID, scope: scope)
        }
        if let failure = verification.failure {
            throw MatchmakerError.ledgerRefused(path: path, failure: failure.description)
        }
        try database.write { db in
            try LedgerSchema.claim(operator: operatorID, in: db)
            // Everything is checked now: a checkpoint of the whole ledger marks how far, for the next start.
            if try Ledger.treeSize(in: db) > 0 {
                _ = try Ledger.signCheckpoint(as: identity, timestamp: UInt64(max(0, now)), in: db)
            }
            if let latest = try Ledger.latestCheckpoint(in: db)?.checkpoint, latest.size > 0 {
                try Ledger.recordVerified(size: Int64(latest.size), in: db)
            }
        }
    }

    /// Opens the file with today's open grant policy of `grantCredits` per new peer (tests and tools).
    public convenience init(path: String, identity: Identity, grantCredits: Int) throws {
        var grants = GrantPolicy()
        grants.amount = grantCredits
        try self.init(path: path, identity: identity, grants: grants)
    }

    var operatorID: PeerID { identity.peerID }

    /// The file's migrations: the ledger's, then the job queue's, run by `DatabaseFile.open`.
    static var migrations: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        LedgerSchema.registerMigrations(in: &migrator)
        migrator.registerMigration("jobs-v1") { db in
            try db.create(table: "jobs") { t in
                t.primaryKey("id", .text)
                t.column("submitter", .text).notNull()
                t.column("capability", .text).notNull()
                t.column("version", .text).notNull()
                t.column("request", .blob).notNull()
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')")
                t.column("worker", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("output", .blob)
                t.column("message", .text)
                t.column("credits", .integer).notNull().defaults(to: 0)
                t.column("max_credits", .integer).notNull()
                t.column("submitted_at", .integer).notNull()
                t.column("finished_at", .integer)
            }
            try db.create(index: "jobs_status", on: "jobs", columns: ["status"])
        }
        registerGrantMigrations(in: &migrator)
        registerQuorumMigration(in: &migrator)
        registerAttemptMigrations(in: &migrator)
        return migrator
    }

    // MARK: Credits

    public func balance(of peer: PeerID) throws -> Int {
        try database.read { db in Int(try Ledger.balances(in: db)[.peer(peer)] ?? 0) }
    }

    // MARK: Checkpoints

    /// Signs a checkpoint of the ledger's Merkle tree when entries were added since the last one and either
    /// `everyEntries` were added or `interval` passed since it was signed. Returns the new checkpoint, if any.
    @discardableResult
    public func checkpointIfDue(now: Int64, everyEntries: Int, interval: Duration) throws -> SignedCheckpoint? {
        try database.write { db in try checkpointIfDue(now: now, everyEntries: everyEntries, interval: interval, in: db) }
    }

    func checkpointIfDue(now: Int64, everyEntries: Int, interval: Duration, in db: Database) throws
        -> SignedCheckpoint? {
        do {
            let size = try Ledger.treeSize(in: db)
            guard size > 0 else { return nil }
            if let latest = try Ledger.latestCheckpoint(in: db)?.checkpoint {
                guard size > latest.size else { return nil }
                let elapsed = now - Int64(latest.timestamp)
                guard size - latest.size >= UInt64(everyEntries) || elapsed >= interval.wholeMilliseconds else {
                    return nil
                }
            }
            return try Ledger.signCheckpoint(as: identity, timestamp: UInt64(max(0, now)), in: db)
        }
    }

    // MARK: Jobs

    /// What storing a submission gave: the job's record, whether this write stored it (false: the id was stored
    /// before, and the record is the stored row), and the submitter's balance after its escrow when one was stored.
    struct StoredJob: Sendable {
        var record: JobRecord
        var isNew: Bool
        var balance: EarlyPlacementGate.Reported?
    }

    /// Stores a new job and its escrow in one transaction. Submitting the same id again by the same submitter
    /// returns the stored job (idempotent); any refusal (bad signature, too few credits) stores nothing.
    public func insert(_ submission: Submission, from submitter: PeerID, now: Int64) throws -> JobRecord {
        try database.write { db in try insert(submission, from: submitter, now: now, in: db) }
    }

    func insert(_ submission: Submission, from submitter: PeerID, now: Int64, in db: Database) throws -> JobRecord {
        try insertIfNew(submission, from: submitter, now: now, in: db).record
    }

    /// `insert`, also saying whether this call stored the job, and the submitter's balance after its escrow (with the
    /// escrow's sequence number; nil when nothing was escrowed). When it did not store the job (the id was stored
    /// before), the record is the row as this transaction reads it, which may be older than what the running
    /// matchmaker knows.
    func insertIfNew(_ submission: Submission, from submitter: PeerID, now: Int64,
                     prepared: PreparedSubmission? = nil, in db: Database) throws -> StoredJob {
        do {
            if let existing = try JobRow.find(submission.id.rawValue, in: db) {
                guard existing.submitter == submitter.hex else {
                    throw MatchmakerError.jobIDTaken(submission.id)
                }
                return StoredJob(record: try existing.record(), isNew: false, balance: nil)
            }
            _ = try grantIfNew(submitter, now: now, offersWork: nil, in: db)
            let request = submission.request
            let prepared = try prepared ?? PreparedSubmission(submission, from: submitter, cache: escrowSignatures)
            // The submitter's balance comes with the escrow, from the appender: nothing is read back.
            let (escrow, balance) = try ledger.append(prepared.escrow, reportingBalanceOf: .peer(submitter), in: db)
            let row = JobRow(id: submission.id.rawValue, submitter: submitter.hex, capability: request.capability,
                             version: request.version, request: prepared.request,
                             status: JobStatus.queued.rawValue, worker: nil, attempts: 0, output: nil, message: nil,
                             credits: 0, max_credits: request.escrowCredits, submitted_at: now, finished_at: nil)
            try row.insert(cachedIn: db)
            return StoredJob(record: try row.record(), isNew: true,
                             balance: EarlyPlacementGate.Reported(balance: balance, seq: escrow.seq))
        }
    }

    public func markRunning(_ id: JobID, worker: PeerID, attempt: Int) throws {
        try database.write { db in try Self.markRunning(id, worker: worker, attempt: attempt, in: db) }
    }

    /// Marks an unsettled job running; with `submitter`, only that submitter's job (a job placed before its escrow
    /// committed may turn out to carry another submitter's id, whose row must stay as it is).
    static func markRunning(_ id: JobID, worker: PeerID, attempt: Int, submitter: PeerID? = nil,
                            in db: Database) throws {
        if id.isRun {
            // A run of a redundant job: the job runs while any of its runs does, and counts every run's attempts.
            try db.cachedStatement(sql: "UPDATE jobs SET status = 'running', attempts = attempts + 1, message = NULL "
                                      + "WHERE id = ? AND status IN ('queued', 'running') "
                                      + "AND (? IS NULL OR submitter = ?)")
                .execute(arguments: [id.parentJob.rawValue, submitter?.hex, submitter?.hex])
            return
        }
        // Only an unsettled job: a late running mark must never reopen a settled one.
        try db.cachedStatement(sql: "UPDATE jobs SET status = 'running', worker = ?, attempts = ?, message = NULL "
                                  + "WHERE id = ? AND status IN ('queued', 'running') "
                                  + "AND (? IS NULL OR submitter = ?)")
            .execute(arguments: [worker.hex, attempt, id.rawValue, submitter?.hex, submitter?.hex])
    }

    public func markQueued(_ id: JobID, message: String) throws {
        try database.write { db in try Self.markQueued(id, message: message, in: db) }
    }

    static func markQueued(_ id: JobID, message: String, submitter: PeerID? = nil, in db: Database) throws {
        // A run of a redundant job going back to the queue leaves the job's state alone (other runs may run).
        if id.isRun { return }
        try db.cachedStatement(sql: "UPDATE jobs SET status = 'queued', worker = NULL, message = ? "
                                  + "WHERE id = ? AND status IN ('queued', 'running') AND (? IS NULL OR submitter = ?)")
            .execute(arguments: [message, id.rawValue, submitter?.hex, submitter?.hex])
    }

    public func job(_ id: JobID) throws -> JobRecord? {
        try database.read { db in try JobRow.find(id.rawValue, in: db)?.record() }
    }

    /// The stored request of a job, to hand it to a worker.
    public func request(_ id: JobID) throws -> JobRequest? {
        try database.read { db in
            guard let row = try JobRow.find(id.rawValue, in: db) else { return nil }
            return try JSONDecoder().decode(JobRequest.self, from: row.request)
        }
    }

    /// The jobs `submitter` sent, newest first, without inputs or outputs.
    public func jobs(submittedBy submitter: PeerID, limit: Int = 500) throws -> [JobRecord] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, submitter, capability, version, status, worker, attempts, message, credits, max_credits,
                       submitted_at, finished_at
                FROM jobs WHERE submitter = ? ORDER BY submitted_at DESC, id LIMIT ?
                """, arguments: [submitter.hex, limit])
            return try rows.map { row in
                let id: String = try row.decode(atIndex: 0)
                guard let jobID = JobID(id), let submitterID = PeerID(hex: try row.decode(atIndex: 1)),
                      let status = JobStatus(rawValue: try row.decode(atIndex: 4)) else {
                    throw MatchmakerError.corruptRow(id)
                }
                let worker: String? = try row.decode(atIndex: 5)
                return JobRecord(id: jobID, capability: try row.decode(atIndex: 2), version: try row.decode(atIndex: 3),
                                 submitter: submitterID, status: status, worker: worker.flatMap(PeerID.init(hex:)),
                                 attempts: try row.decode(atIndex: 6), output: nil, message: try row.decode(atIndex: 7),
                                 credits: try row.decode(atIndex: 8), maxCredits: try row.decode(atIndex: 9),
                                 submittedAt: try row.decode(atIndex: 10), finishedAt: try row.decode(atIndex: 11))
            }
        }
    }

    /// Jobs that were queued or running when the matchmaker stopped, oldest first, to be scheduled again.
    public func unfinished() throws -> [(record: JobRecord, request: JobRequest)] {
        try database.read { db in
            try JobRow.filter(["queued", "running"].contains(Column("status")))
                .order(Column("submitted_at"), Column("id")).fetchAll(db)
                .map { (try $0.record(), try JSONDecoder().decode(JobRequest.self, from: $0.request)) }
        }
    }
}
