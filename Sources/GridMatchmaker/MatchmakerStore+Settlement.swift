import Foundation
import GRDB
import GridCore
import GridCrypto
import GridLedger

/// Settling jobs (results, payments and refund in one transaction with the job's final row), the runs of redundant
/// jobs, and worker standing.
extension MatchmakerStore {
    /// The tables for redundant jobs and standing: `job_runs` keeps every ended run of a redundant job until it is
    /// settled (so a restart resumes its quorum), `worker_standing` the counts of how each worker's attempts ended.
    static func registerQuorumMigration(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("jobs-v2-quorum") { db in
            try db.execute(sql: """
                CREATE TABLE job_runs (
                    job TEXT NOT NULL,
                    run INTEGER NOT NULL CHECK (run >= 1),
                    report BLOB,
                    failure TEXT,
                    PRIMARY KEY (job, run)
                ) WITHOUT ROWID;
                CREATE TABLE worker_standing (
                    peer TEXT PRIMARY KEY NOT NULL CHECK (length(peer) = 64),
                    done INTEGER NOT NULL DEFAULT 0,
                    failed INTEGER NOT NULL DEFAULT 0,
                    timed_out INTEGER NOT NULL DEFAULT 0,
                    crashed INTEGER NOT NULL DEFAULT 0,
                    disagreed INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
                """)
        }
    }

    // MARK: Settling

    /// Records the result and settles: the worker is paid `min(cost, maxCredits)` and the rest of the escrow goes
    /// back to the submitter, all in one transaction with the job's final state.
    public func settleSuccess(_ id: JobID, worker: PeerID, output: Data, cost: Int, now: Int64) throws -> JobRecord {
        try database.write { db in
            let report = RunReport(worker: worker, attempt: 1, output: output, failure: nil, cpuMillis: 0, cost: cost)
            return try settle(id, .success(report, maxCredits: .max), now: now, in: db)
        }
    }

    /// Records a failure (or, with `status: .cancelled`, a withdrawal) and refunds the whole escrow in one transaction.
    public func settleFailure(_ id: JobID, worker: PeerID?, message: String, now: Int64,
                              status: JobStatus = .failed) throws -> JobRecord {
        try database.write { db in
            try settle(id, .failure(message, worker: worker, status: status), now: now, in: db)
        }
    }

    /// Writes `settlement` for the job in one transaction of its own (at start, before the group-commit writer runs).
    public func settle(_ id: JobID, _ settlement: Settlement, now: Int64) throws -> JobRecord {
        try database.write { db in try settle(id, settlement, now: now, in: db) }
    }

    /// Writes `settlement` for the job in the caller's transaction: a result entry per run (or one saying why the
    /// job failed when no run produced a report), the payments, the refund of the rest, the job's final row; a
    /// redundant job's stored runs are dropped. Throws (writing nothing) when the job is already final.
    ///
    /// `signed` is the same entries built and signed before the write (by the matchmaker's actor, so the writer,
    /// one thread for the grid, does not sign); they are used only when they were built from what the row holds.
    ///
    /// The row is finished by one `UPDATE … RETURNING`, which only an unsettled row matches (a job is settled exactly
    /// once) and which returns what the entries are checked against: nothing is read before it is written. When the
    /// entries must be built again (no `signed`, or it does not fit the row), the amount paid is written again with
    /// them; a refused entry rolls the whole settlement back with the caller's savepoint.
    func settle(_ id: JobID, _ settlement: Settlement, now: Int64, signed: SignedSettlement? = nil,
                in db: Database) throws -> JobRecord {
        let job = id.rawValue
        let statement = try db.cachedStatement(sql: """
            UPDATE jobs SET status = ?, worker = coalesce(?, worker), output = ?, message = ?, credits = ?,
                            finished_at = ?
            WHERE id = ? AND status IN ('queued', 'running')
            RETURNING submitter, capability, version, worker, attempts, max_credits, submitted_at
            """)
        let returned = try Row.fetchOne(statement, arguments: [
            settlement.status.rawValue, settlement.worker?.hex, settlement.output, settlement.message,
            signed?.paid ?? 0, now, job,
        ]).map { row in
            FinishedRow(submitter: try row.decode(atIndex: 0), capability: try row.decode(atIndex: 1),
                        version: try row.decode(atIndex: 2), worker: try row.decode(atIndex: 3),
                        attempts: try row.decode(atIndex: 4), maxCredits: try row.decode(atIndex: 5),
                        submittedAt: try row.decode(atIndex: 6))
        }
        guard let finished = returned else { throw try Self.unsettledRowMissing(id, in: db) }
        guard let submitter = PeerID(hex: finished.submitter) else { throw MatchmakerError.corruptRow(id) }
        let entries: SignedSettlement
        if let signed, signed.fits(capability: finished.capability, escrowed: finished.maxCredits,
                                   submitter: submitter) {
            entries = signed
        } else {
            entries = try SignedSettlement(job: id, settlement, capability: finished.capability,
                                           escrowed: finished.maxCredits, submitter: submitter, now: now,
                                           identity: identity)
            if entries.paid != (signed?.paid ?? 0) {
                try db.cachedStatement(sql: "UPDATE jobs SET credits = ? WHERE id = ?")
                    .execute(arguments: [entries.paid, job])
            }
        }
        try ledger.append(contentsOf: entries.entries, in: db)
        // A redundant job's ended runs are kept until now (a primary-key lookup; nothing to delete for other jobs).
        try db.cachedStatement(sql: "DELETE FROM job_runs WHERE job = ?").execute(arguments: [job])
        return JobRecord(id: id, capability: finished.capability, version: finished.version, submitter: submitter,
                         status: settlement.status, worker: finished.worker.flatMap(PeerID.init(hex:)),
                         attempts: finished.attempts, output: settlement.output, message: settlement.message,
                         credits: entries.paid, maxCredits: finished.maxCredits, submittedAt: finished.submittedAt,
                         finishedAt: now)
    }

    /// What `settle`'s update returns of the row it finished.
    private struct FinishedRow {
        var submitter: String
        var capability: String
        var version: String
        var worker: String?
        var attempts: Int
        var maxCredits: Int
        var submittedAt: Int64
    }

    /// Why no unsettled row of `id` was there to settle: none at all, or one already final.
    private static func unsettledRowMissing(_ id: JobID, in db: Database) throws -> MatchmakerError {
        guard let status = try String.fetchOne(db, sql: "SELECT status FROM jobs WHERE id = ?",
                                               arguments: [id.rawValue]) else {
            return .unknownJob(id)
        }
        guard let final = JobStatus(rawValue: status), final.isFinal else { return .corruptRow(id) }
        return .alreadyFinal(id, final)
    }

    // MARK: Runs of redundant jobs

    /// Stores a run that ended, so its job's quorum survives a restart.
    static func recordRun(_ run: JobID, report: RunReport?, failure: String?, in db: Database) throws {
        guard let number = run.runNumber else { return }
        try db.execute(sql: """
            INSERT OR REPLACE INTO job_runs (job, run, report, failure) VALUES (?, ?, ?, ?)
            """, arguments: [run.parentJob.rawValue, number, try report.map { try JSONEncoder().encode($0) },
                             failure])
    }

    /// The ended runs of an unfinished redundant job, by run number.
    public func endedRuns(of job: JobID) throws -> [(run: JobID, report: RunReport?, failure: String?)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT run, report, failure FROM job_runs WHERE job = ? ORDER BY run",
                             arguments: [job.rawValue]).map { row in
                let number: Int = try row.decode(atIndex: 0)
                let data: Data? = try row.decode(atIndex: 1)
                let report = try data.map { try JSONDecoder().decode(RunReport.self, from: $0) }
                return (JobID(run: number, of: job), report, try row.decode(atIndex: 2))
            }
        }
    }

    // MARK: Standing

    /// Adds one attempt that ended as `event` to the worker's stored standing.
    static func recordStanding(_ event: WorkerStanding.Event, for peer: PeerID, in db: Database) throws {
        let column: String
        switch event {
        case .done: column = "done"
        case .failed: column = "failed"
        case .timedOut: column = "timed_out"
        case .crashed: column = "crashed"
        case .disagreed: column = "disagreed"
        }
        try db.cachedStatement(sql: """
            INSERT INTO worker_standing (peer, \(column)) VALUES (?, 1)
            ON CONFLICT (peer) DO UPDATE SET \(column) = \(column) + 1
            """).execute(arguments: [peer.hex])
    }

    /// Every worker's stored standing.
    public func standings() throws -> [PeerID: WorkerStanding] {
        try database.read { db in
            var all: [PeerID: WorkerStanding] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT peer, done, failed, timed_out, crashed, disagreed FROM worker_standing
                """) {
                guard let peer = PeerID(hex: try row.decode(atIndex: 0)) else { continue }
                all[peer] = WorkerStanding(done: try row.decode(atIndex: 1), failed: try row.decode(atIndex: 2),
                                           timedOut: try row.decode(atIndex: 3), crashed: try row.decode(atIndex: 4),
                                           disagreed: try row.decode(atIndex: 5))
            }
            return all
        }
    }
}
