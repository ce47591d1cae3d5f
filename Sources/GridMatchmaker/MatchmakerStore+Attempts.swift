import Foundation
import GRDB
import GridCore
import GridCrypto

/// Every attempt of every job, for `grid explain`: one row inserted when the job is handed to a worker (in the same
/// write as the running mark) and one update when the attempt ends. An attempt of run `n` of a redundant job
/// (`job~n`) is filed under the job with `run` n; a job run once has run 0.
extension MatchmakerStore {
    /// The `attempts` table: job, run, attempt, worker, start, end, outcome, reason, output digest.
    static func registerAttemptMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("attempts-v1") { db in
            try db.execute(sql: """
                CREATE TABLE attempts (
                    job TEXT NOT NULL REFERENCES jobs(id),
                    run INTEGER NOT NULL CHECK (run >= 0),
                    attempt INTEGER NOT NULL CHECK (attempt >= 1),
                    worker TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER,
                    outcome TEXT CHECK (outcome IN ('succeeded', 'failed', 'crashed', 'timed out', 'lost')),
                    reason TEXT,
                    output_digest TEXT,
                    PRIMARY KEY (job, run, attempt),
                    CHECK ((ended_at IS NULL) = (outcome IS NULL))
                ) WITHOUT ROWID
                """)
        }
    }

    /// Records an attempt's start; a job placed again under an attempt number it used before (its settlement
    /// failed to commit) starts that row afresh rather than failing the running mark it is written with.
    ///
    /// Only for a job stored and not settled, and with `submitter` only for that submitter's: a job placed before its
    /// escrow committed may turn out not stored, or its id another job's, whose history must stay as it is.
    static func recordAttemptStart(_ id: JobID, attempt: Int, worker: PeerID, now: Int64, submitter: PeerID? = nil,
                                   in db: Database) throws {
        let job = id.parentJob.rawValue
        try db.cachedStatement(sql: """
            INSERT INTO attempts (job, run, attempt, worker, started_at)
            SELECT ?, ?, ?, ?, ? WHERE EXISTS (
                SELECT 1 FROM jobs WHERE id = ? AND status IN ('queued', 'running') AND (? IS NULL OR submitter = ?))
            ON CONFLICT (job, run, attempt) DO UPDATE SET worker = excluded.worker, started_at = excluded.started_at,
                ended_at = NULL, outcome = NULL, reason = NULL, output_digest = NULL
            """).execute(arguments: [job, id.runNumber ?? 0, attempt, worker.hex, now, job, submitter?.hex,
                                     submitter?.hex])
    }

    /// Records how an attempt that is still open ended; `output` is hashed here, off the matchmaker's actor.
    static func recordAttemptEnd(_ id: JobID, attempt: Int, outcome: AttemptOutcome, reason: String?, output: Data?,
                                 now: Int64, in db: Database) throws {
        let digest = output.map { Hex.encode(Digest.sha256($0)) }
        try db.cachedStatement(sql: """
            UPDATE attempts SET ended_at = ?, outcome = ?, reason = ?, output_digest = ?
            WHERE job = ? AND run = ? AND attempt = ? AND ended_at IS NULL
            """).execute(arguments: [now, outcome.rawValue, reason, digest, id.parentJob.rawValue, id.runNumber ?? 0,
                                     attempt])
    }

    /// Ends every attempt still open as lost: called at start-up, since attempts running when the matchmaker
    /// stopped ended with it.
    public func endOpenAttempts(now: Int64) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE attempts SET ended_at = ?, outcome = 'lost', reason = 'the matchmaker stopped while it ran'
                WHERE ended_at IS NULL
                """, arguments: [now])
        }
    }

    /// Queues the record of an attempt's end for the next group commit (deferrable).
    func enqueueAttemptEnd(_ id: JobID, attempt: Int, outcome: AttemptOutcome, reason: String?, output: Data?,
                           now: Int64, completion: @escaping @Sendable ((any Error)?) -> Void) {
        writer.enqueue({ db in
            try Self.recordAttemptEnd(id, attempt: attempt, outcome: outcome, reason: reason, output: output,
                                      now: now, in: db)
        }, deferrable: true, completion: completion)
    }

    /// The job's attempts (of all its runs, for a redundant job), oldest first.
    public func attempts(of id: JobID) throws -> [JobExplanation.Attempt] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT run, attempt, worker, started_at, ended_at, outcome, reason, output_digest
                FROM attempts WHERE job = ? ORDER BY started_at, run, attempt
                """, arguments: [id.rawValue]).map { row in
                let workerHex: String = row["worker"]
                let outcomeText: String? = row["outcome"]
                guard let worker = PeerID(hex: workerHex) else { throw MatchmakerError.corruptRow(id.rawValue) }
                let outcome = try outcomeText.map { text in
                    guard let outcome = AttemptOutcome(rawValue: text) else {
                        throw MatchmakerError.corruptRow(id.rawValue)
                    }
                    return outcome
                }
                let run: Int = row["run"]
                return JobExplanation.Attempt(
                    run: run == 0 ? nil : run, attempt: row["attempt"], worker: worker, startedAt: row["started_at"],
                    endedAt: row["ended_at"], outcome: outcome, reason: row["reason"],
                    outputDigest: row["output_digest"])
            }
        }
    }
}
