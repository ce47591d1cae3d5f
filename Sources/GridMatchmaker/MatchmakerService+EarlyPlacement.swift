import GridCore
import GridLedger

/// Jobs placed before their escrow commits (docs/scheduling.md): the gate, confirmation once the store took the job,
/// and voiding when it did not.
extension MatchmakerService {
    /// Whether `job` can be placed before its escrow is durable: a plain job (not redundant) with a valid escrow
    /// signature, whose id the matchmaker holds nothing under and no other write is storing, from a submitter the
    /// gate allows (`EarlyPlacementGate`).
    func mayPlaceEarly(_ job: SchedulableJob, request: JobRequest, escrow: SignedEntry,
                       from submitter: PeerID) -> Bool {
        !request.isRedundant && escrow.knownValid && storing[job.id] == 1 && requests[job.id] == nil
            && !scheduler.isQueued(job.id) && scheduler.lease(of: job.id) == nil && quorums[job.id] == nil
            && voided[job.id] == nil && earlyPlacement.allows(request.escrowCredits, for: submitter)
    }

    /// Tracks and places a job whose write is queued and not yet durable.
    func placeEarly(_ job: SchedulableJob, _ pending: PendingJob) {
        track(job.id, pending)
        unconfirmed.insert(job.id)
        earlyPlacement.placed(by: pending.submitter)
        carryOut(scheduler.jobSubmitted(job, now: .now))
        logger.debug("job placed before its escrow committed", metadata: ["grid.job.id": "\(job.id)"])
    }

    /// An early-placed job is durable: a settlement that waited for it is queued now.
    func confirm(_ id: JobID, of submitter: PeerID) {
        unconfirmed.remove(id)
        earlyPlacement.resolved(by: submitter)
        if let settlement = heldSettlements.removeValue(forKey: id) { settle(id, settlement) }
    }

    /// An early-placed job the store did not take: it is forgotten, taken off the queue if it is there, and its run,
    /// if one is out, discarded when it ends (`voided`); a job another batch stored under its id is placed. A
    /// submitter whose id was stored before (resent after it finished, or another submitter's) is barred from early
    /// placement; any other refusal (an operator's transfer took the credits, a failed write) only makes its next job
    /// wait for the commit.
    func void(_ id: JobID, of submitter: PeerID, because result: Result<JobRecord, any Error>) {
        unconfirmed.remove(id)
        heldSettlements[id] = nil
        earlyPlacement.resolved(by: submitter)
        let job = requests[id]
        untrack(id)
        if !scheduler.cancel(id), scheduler.lease(of: id) != nil, let job { voided[id] = job }
        if let behind = storedBehind.removeValue(forKey: id) {
            // Another batch stored this id (so this one could not): that job is placed now, or when this run ends.
            track(id, behind)
            if voided[id] == nil { schedule(id, behind) }
        }
        let reason: String
        switch result {
        case .success:
            reason = "the job was stored before"
            earlyPlacement.bar(submitter)
        case .failure(let error as MatchmakerError) where error.isJobIDTaken:
            reason = "\(error)"
            earlyPlacement.bar(submitter)
        case .failure(let error):
            reason = "\(error)"
            earlyPlacement.forget(submitter)
        }
        logger.warning("an early-placed job was not stored; its run is discarded", metadata: [
            "grid.job.id": "\(id)", "grid.peer": "\(submitter.short)", "grid.reason": "\(reason)",
        ])
    }

    /// The run of a voided job ended or left the scheduler: a job stored under the same id meanwhile is placed now.
    func voidedRunEnded(_ id: JobID) {
        voided[id] = nil
        guard let job = requests[id], !scheduler.isQueued(id), scheduler.lease(of: id) == nil, quorums[id] == nil
        else { return }
        schedule(id, job)
    }
}
