import Foundation
import GridCore
import GridLedger
import Synchronization

/// Taking submissions in: compiled and admitted on the actor, prepared (escrow signatures checked, off the actor for a
/// batch), placed at once when nothing can refuse them, stored with group commit, answered once durable
/// (docs/scheduling.md).
extension MatchmakerService {
    /// Stores and queues submissions of `submitter`'s, each on its own: one refused does not stop the others.
    /// With `session`, every accepted job is followed there (its result pushed at once if it is already final).
    /// Returns once every accepted job is durable (or refused), even if the calling task is cancelled meanwhile.
    ///
    /// A job the store cannot refuse (`EarlyPlacementGate`) is placed before its escrow commits, so its run overlaps
    /// the commit; its settlement waits for the commit, and if the store did not take the job after all, the run is
    /// discarded (MatchmakerService+EarlyPlacement.swift). Nothing is answered earlier than before.
    ///
    /// A submission seen before (same id, same submitter) is answered with the job stored then: resending is safe.
    func accept(_ submissions: [Submission], from submitter: PeerID,
                following session: UInt64? = nil) async -> [Result<JobRecord, any Error>] {
        let compiled = submissions.map { compile($0, from: submitter) }
        var (admitted, reserved) = admit(compiled, from: submitter)
        let prepared = await prepare(submissions, admitted: admitted, from: submitter)
        // Queued before anything is placed: the writer takes work in order, so a job's running mark, attempts and
        // settlement can never be written before the job itself.
        let written = enqueueWrites(submissions, prepared: prepared, from: submitter)
        var early: Set<Int> = []
        for index in submissions.indices {
            guard case .success(let job) = admitted[index], case .success(let ready)? = prepared[index] else {
                continue
            }
            let request = submissions[index].request
            if mayPlaceEarly(job, request: request, escrow: ready.escrow, from: submitter) {
                // The batch's reservation for this job becomes the job itself.
                reserved -= 1
                inFlight[submitter] = (inFlight[submitter] ?? 1) - 1
                placeEarly(job, PendingJob(request: request, submitter: submitter))
                early.insert(index)
            }
            earlyPlacement.handed(request.escrowCredits, by: submitter)
        }
        let outcomes = await written.all()
        for outcome in outcomes {
            let submission = submissions[outcome.index]
            let left = (storing[submission.id] ?? 1) - 1
            storing[submission.id] = left > 0 ? left : nil
            earlyPlacement.finished(submission.request.escrowCredits, by: submitter, reporting: outcome.stored?.balance)
        }
        let (stored, new) = results(outcomes, admitted: admitted, prepared: prepared)
        inFlight[submitter, default: 0] -= reserved
        if inFlight[submitter, default: 0] <= 0 { inFlight[submitter] = nil }
        for (index, result) in stored.enumerated() {
            guard case .success(let job) = admitted[index] else { continue }
            if early.contains(index) {
                if case .success = result, new.contains(index) {
                    confirm(job.id, of: submitter)
                } else {
                    void(job.id, of: submitter, because: result)
                }
                continue
            }
            guard case .success(let record) = result, new.contains(index) else { continue }
            let pending = PendingJob(request: submissions[index].request, submitter: submitter)
            if unconfirmed.contains(record.id) {
                // Another batch's early copy of this id, refused for certain (this write stored the id), whose batch
                // the actor has not taken back yet: its `void` tracks and places this job.
                storedBehind[record.id] = pending
                continue
            }
            if voided[record.id] != nil, requests[record.id] == nil {
                // Stored under the id of an early run that was voided and is still out: placed when that run ends.
                track(record.id, pending)
                continue
            }
            // Only a job this batch stored is placed: a resubmitted id is known already (queued, running, waiting for
            // its settlement to commit, or settled), and its stored record may be older than that. Checked again after
            // the write: the same id in another batch may have been placed meanwhile.
            guard requests[record.id] == nil, !scheduler.isQueued(record.id), scheduler.lease(of: record.id) == nil,
                  quorums[record.id] == nil else { continue }
            logger.debug("job stored", metadata: [
                "grid.job.id": "\(record.id)", "grid.capability": "\(record.capability)",
            ])
            track(record.id, pending)
            if pending.request.isRedundant {
                schedule(record.id, pending)
            } else {
                carryOut(scheduler.jobSubmitted(job, now: .now))
            }
        }
        if let session {
            for case .success(let record) in stored { follow(record, on: session) }
        }
        return stored
    }

    /// The job a submission asks for, or why it cannot be one.
    private func compile(_ submission: Submission, from submitter: PeerID) -> Result<SchedulableJob, any Error> {
        Result {
            guard !submission.id.isRun else {
                throw MatchmakerError.badRequest("job id '\(submission.id)' is not valid: a job id is 1 to 64 "
                                                 + "characters of a-z, 0-9 and '-'")
            }
            let job: SchedulableJob
            do {
                job = try SchedulableJob.compile(id: submission.id, submitter: submitter, request: submission.request)
            } catch {
                throw MatchmakerError.badRequest("\(error)")
            }
            if submission.request.isRedundant,
               let (worker, offer) = scheduler.nondeterministicOffer(of: job.capability, in: job.versionRange) {
                throw MatchmakerError.badRequest(
                    "capability '\(offer.name)' says its output is not deterministic (plugin \(offer.plugin) "
                    + "\(offer.version) on worker \(worker.short)), so a job cannot ask for redundancy on it: "
                    + "its runs could never agree")
            }
            return job
        }
    }

    /// Refuses the submissions past the submitter's limit of jobs in flight (unsettled, or being stored by another
    /// batch), and reserves room for the others until they are stored; returns them and the count reserved.
    private func admit(_ compiled: [Result<SchedulableJob, any Error>], from submitter: PeerID)
        -> ([Result<SchedulableJob, any Error>], reserved: Int) {
        let limit = configuration.maxJobsInFlightPerSubmitter
        var count = inFlight[submitter] ?? 0
        var refused = 0
        let admitted = compiled.map { result -> Result<SchedulableJob, any Error> in
            guard case .success = result else { return result }
            guard count < limit else {
                refused += 1
                return .failure(MatchmakerError.tooManyJobsInFlight(limit: limit))
            }
            count += 1
            return result
        }
        let reserved = count - (inFlight[submitter] ?? 0)
        inFlight[submitter] = count
        if refused > 0 {
            logger.warning("submissions refused: too many jobs in flight", metadata: [
                "grid.peer": "\(submitter.short)", "grid.limit": "\(limit)", "grid.refused": "\(refused)",
            ])
        }
        return (admitted, reserved)
    }

    /// Checks the escrow signatures and encodes the requests of the admitted submissions (a batch signature is checked
    /// once, `SignatureCache`); nil for a submission not admitted. A batch is checked on all cores, off the actor; a
    /// submission sent alone here, without the hops to other threads and back that a task group costs (a round trip's
    /// worth of latency).
    private func prepare(_ submissions: [Submission], admitted: [Result<SchedulableJob, any Error>],
                         from submitter: PeerID) async -> [Result<PreparedSubmission, any Error>?] {
        let indices = submissions.indices.filter { if case .success = admitted[$0] { true } else { false } }
        let store = self.store
        var prepared = [Result<PreparedSubmission, any Error>?](repeating: nil, count: submissions.count)
        guard submissions.count > 1 else {
            for (index, result) in Self.prepare(indices[...], of: submissions, from: submitter, store: store) {
                prepared[index] = result
            }
            return prepared
        }
        let chunks = min(indices.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
        await withTaskGroup(of: [(Int, Result<PreparedSubmission, any Error>)].self) { group in
            for chunk in 0..<chunks {
                let slice = indices[(indices.count * chunk / chunks)..<(indices.count * (chunk + 1) / chunks)]
                group.addTask { Self.prepare(slice, of: submissions, from: submitter, store: store) }
            }
            for await done in group {
                for (index, result) in done { prepared[index] = result }
            }
        }
        return prepared
    }

    /// The submissions at `indices`, prepared on the caller's thread.
    private static func prepare(_ indices: ArraySlice<Int>, of submissions: [Submission], from submitter: PeerID,
                                store: MatchmakerStore) -> [(Int, Result<PreparedSubmission, any Error>)] {
        indices.map { index in (index, Result { try store.prepare(submissions[index], from: submitter) }) }
    }

    /// The one place submissions are stored, each with its signed escrow checked: queued on the store's writer now,
    /// in order, all at once so its group commit writes them in as few transactions as it can. Each id queued is
    /// counted in `storing` until its outcome is back.
    private func enqueueWrites(_ submissions: [Submission], prepared: [Result<PreparedSubmission, any Error>?],
                               from submitter: PeerID) -> PendingWrites {
        let now = Self.nowMillis()
        let ready = submissions.indices.compactMap { index -> (Int, PreparedSubmission)? in
            guard case .success(let ready)? = prepared[index] else { return nil }
            return (index, ready)
        }
        let writes = PendingWrites(expected: ready.count)
        for (index, ready) in ready {
            storing[submissions[index].id, default: 0] += 1
            store.enqueueSubmission(ready, submissions[index], from: submitter, now: now) { result in
                switch result {
                case .success(let stored): writes.record(StoredSubmission(index: index, stored: stored, error: nil))
                case .failure(let error): writes.record(StoredSubmission(index: index, stored: nil, error: error))
                }
            }
        }
        return writes
    }

    /// Each submission's outcome in the order given, and the indices of those stored by this call (not stored
    /// before). Submissions not admitted or not prepared are refused with their error.
    private func results(_ outcomes: [StoredSubmission], admitted: [Result<SchedulableJob, any Error>],
                         prepared: [Result<PreparedSubmission, any Error>?])
        -> ([Result<JobRecord, any Error>], new: Set<Int>) {
        var byIndex: [Int: StoredSubmission] = [:]
        for one in outcomes { byIndex[one.index] = one }
        let results = admitted.indices.map { index -> Result<JobRecord, any Error> in
            if case .failure(let error) = admitted[index] { return .failure(error) }
            if case .failure(let error)? = prepared[index] { return .failure(error) }
            if let record = byIndex[index]?.stored?.record { return .success(record) }
            return .failure(byIndex[index]?.error ?? MatchmakerError.badRequest("the job was not stored"))
        }
        return (results, Set(outcomes.filter { $0.stored?.isNew == true }.map(\.index)))
    }
}

/// What storing one submission of a batch gave.
struct StoredSubmission: Sendable {
    var index: Int
    var stored: MatchmakerStore.StoredJob?
    var error: (any Error)?
}

/// The outcomes of a batch's writes, collected from the writer's completions. Waiting for them cannot be cut short by
/// the waiting task's cancellation, so a batch is answered, and its jobs placed or voided, only once every write in
/// it is durable or refused.
final class PendingWrites: Sendable {
    private struct State {
        var outcomes: [StoredSubmission] = []
        var waiter: CheckedContinuation<[StoredSubmission], Never>?
    }

    private let expected: Int
    private let state = Mutex(State())

    init(expected: Int) {
        self.expected = expected
    }

    /// Called by the writer's completions, once per write.
    func record(_ outcome: StoredSubmission) {
        let ready = state.withLock { state -> (CheckedContinuation<[StoredSubmission], Never>, [StoredSubmission])? in
            state.outcomes.append(outcome)
            guard state.outcomes.count == expected, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, state.outcomes)
        }
        if let (waiter, outcomes) = ready { waiter.resume(returning: outcomes) }
    }

    /// Every write's outcome, once all are in.
    func all() async -> [StoredSubmission] {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> [StoredSubmission]? in
                guard state.outcomes.count < expected else { return state.outcomes }
                state.waiter = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
