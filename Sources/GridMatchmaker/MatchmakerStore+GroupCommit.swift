import Dispatch
import Foundation
import GRDB
import GridCore
import GridMerkle

/// The running matchmaker's side of the store: writes queued for group commit, reads off the actor.
///
/// Queued writes are carried out in the order they were queued; a completion runs after its transaction
/// committed, on the writer's queue. Reads run on a concurrent Dispatch queue (WAL lets them proceed during a
/// write), so no SQLite call ever runs on the matchmaker's actor or on Swift's cooperative threads.
extension MatchmakerStore {
    /// Stores a new job and its escrow, and returns once they are durable.
    func submit(_ submission: Submission, from submitter: PeerID, now: Int64) async throws -> JobRecord {
        try await writer.write { db in try self.insert(submission, from: submitter, now: now, in: db) }
    }

    /// `submit`, also saying whether this call stored the job (see `insertIfNew`).
    func submitIfNew(_ submission: Submission, from submitter: PeerID, now: Int64) async throws
        -> (record: JobRecord, isNew: Bool) {
        // The signature check and the request's encoding happen here, on the caller's task, not on the writer.
        let prepared = try prepare(submission, from: submitter)
        let stored = try await writer.write { db in
            try self.insertIfNew(submission, from: submitter, now: now, prepared: prepared, in: db)
        }
        return (stored.record, stored.isNew)
    }

    /// What storing a submission needs that no database does: the escrow with its signature checked, the request
    /// encoded. For the caller's task, so the writer does neither.
    func prepare(_ submission: Submission, from submitter: PeerID) throws -> PreparedSubmission {
        try PreparedSubmission(submission, from: submitter, cache: escrowSignatures)
    }

    /// Queues a prepared submission (see `insertIfNew`) now, in the caller's order; `completion` gets the stored job
    /// once durable. Whatever is queued after it (the job's running mark, its settlement) is written after it.
    func enqueueSubmission(_ prepared: PreparedSubmission, _ submission: Submission, from submitter: PeerID,
                           now: Int64, completion: @escaping @Sendable (Result<StoredJob, any Error>) -> Void) {
        let box = StoredJobBox()
        writer.enqueue({ db in
            box.stored = try self.insertIfNew(submission, from: submitter, now: now, prepared: prepared, in: db)
        }, completion: { error in
            if let error {
                completion(.failure(error))
            } else if let stored = box.stored {
                completion(.success(stored))
            } else {
                completion(.failure(CancellationError()))
            }
        })
    }

    /// Records a failure or cancellation with its refund, and returns once it is durable.
    func settleFailureDurably(_ id: JobID, worker: PeerID?, message: String, now: Int64, status: JobStatus)
        async throws -> JobRecord {
        try await writer.write { db in
            try self.settle(id, .failure(message, worker: worker, status: status), now: now, in: db)
        }
    }

    /// Queues the running mark and the attempt's start, in one write that rides with the next transaction
    /// (deferrable: nobody waits for it; the assignment is already on its way). With `submitter`, they are written
    /// only to that submitter's job.
    func enqueueRunning(_ id: JobID, worker: PeerID, attempt: Int, now: Int64, submitter: PeerID? = nil,
                        completion: @escaping @Sendable ((any Error)?) -> Void) {
        writer.enqueue({ db in
            try Self.markRunning(id, worker: worker, attempt: attempt, submitter: submitter, in: db)
            try Self.recordAttemptStart(id, attempt: attempt, worker: worker, now: now, submitter: submitter, in: db)
        }, deferrable: true, completion: completion)
    }

    func enqueueQueued(_ id: JobID, message: String, submitter: PeerID? = nil,
                       completion: @escaping @Sendable ((any Error)?) -> Void) {
        writer.enqueue({ db in try Self.markQueued(id, message: message, submitter: submitter, in: db) },
                       completion: completion)
    }

    /// Queues a job's settlement; `completion` gets the final record once durable.
    func enqueueSettlement(_ id: JobID, _ settlement: Settlement, now: Int64, signed: SignedSettlement? = nil,
                           completion: @escaping @Sendable (Result<JobRecord, any Error>) -> Void) {
        let box = RecordBox()
        writer.enqueue({ db in
            box.record = try self.settle(id, settlement, now: now, signed: signed, in: db)
        }, completion: { error in completion(box.result(error)) })
    }

    /// Queues the record of a run of a redundant job that ended.
    func enqueueRun(_ run: JobID, report: RunReport?, failure: String?,
                    completion: @escaping @Sendable ((any Error)?) -> Void) {
        writer.enqueue({ db in try Self.recordRun(run, report: report, failure: failure, in: db) },
                       completion: completion)
    }

    /// Queues one more attempt in a worker's standing (deferrable).
    func enqueueStanding(_ event: WorkerStanding.Event, for peer: PeerID,
                         completion: @escaping @Sendable ((any Error)?) -> Void) {
        writer.enqueue({ db in try Self.recordStanding(event, for: peer, in: db) }, deferrable: true,
                       completion: completion)
    }

    func enqueueCheckpoint(now: Int64, everyEntries: Int, interval: Duration,
                           completion: @escaping @Sendable (Result<SignedCheckpoint?, any Error>) -> Void) {
        let box = CheckpointBox()
        writer.enqueue({ db in
            box.checkpoint = try self.checkpointIfDue(now: now, everyEntries: everyEntries, interval: interval, in: db)
        }, completion: { error in completion(error.map { .failure($0) } ?? .success(box.checkpoint)) })
    }

    /// Runs a read off the caller's thread.
    func read<T: Sendable>(_ body: @escaping @Sendable (MatchmakerStore) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body(self) })
            }
        }
    }

    /// Carries a record out of a transaction to its completion (written before, read after, on one queue).
    private final class RecordBox: @unchecked Sendable {
        var record: JobRecord?

        func result(_ error: (any Error)?) -> Result<JobRecord, any Error> {
            if let error { return .failure(error) }
            guard let record else { return .failure(CancellationError()) }
            return .success(record)
        }
    }

    private final class StoredJobBox: @unchecked Sendable {
        var stored: StoredJob?
    }

    private final class CheckpointBox: @unchecked Sendable {
        var checkpoint: SignedCheckpoint?
    }
}
