import GridCore

/// Worker standing and the runs of redundant jobs: what the scheduler remembers beyond one attempt.
extension Scheduler {
    /// Adds an attempt that ended as `event` to the worker's standing (and to the changes to store).
    ///
    /// The scheduler records timeouts (lease expiry) and failed or crashed attempts itself; the service records
    /// what only it knows: an output accepted, or one that disagreed with a quorum.
    public mutating func recordStanding(_ event: WorkerStanding.Event, for peer: PeerID) {
        standings[peer, default: WorkerStanding()].record(event)
        if let standing = standings[peer], workers[peer] != nil {
            workers[peer]?.updateStanding(standing)
        }
        standingChanges.append((peer, event))
    }

    /// The standing changes since the last call, for the service to store.
    public mutating func takeStandingChanges() -> [(peer: PeerID, event: WorkerStanding.Event)] {
        defer { standingChanges = [] }
        return standingChanges
    }

    /// Sets a worker's standing as stored (at start, before any worker connects).
    public mutating func seedStanding(_ standing: WorkerStanding, for peer: PeerID) {
        standings[peer] = standing
        workers[peer]?.updateStanding(standing)
    }

    /// The worker's standing; all zero for a worker never seen.
    public func standing(of peer: PeerID) -> WorkerStanding {
        standings[peer] ?? WorkerStanding()
    }

    /// Marks each worker as having taken a run of its job already (runs reloaded after a restart).
    public mutating func noteRunWorker(_ worker: PeerID, ran run: JobID) {
        runWorkers[run.parentJob, default: [:]][worker] = run
    }

    /// The workers the runs of `job` went to so far.
    public func runWorkers(of job: JobID) -> Set<PeerID> {
        runWorkers[job].map { Set($0.keys) } ?? []
    }

    /// Forgets a redundant job once it is settled: its queued runs leave the queue (running ones keep their leases
    /// until they answer or expire, and their answers are then ignored).
    public mutating func redundantJobSettled(_ job: JobID, runs: some Sequence<JobID>) {
        for run in runs where queued[run] != nil {
            forget(run)
        }
        runWorkers[job] = nil
    }
}
