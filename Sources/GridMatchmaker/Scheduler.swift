import GridCore

/// The matchmaker's placement logic: a value type that does no I/O.
///
/// The service feeds it events (a worker joined, left or changed its ad, a job arrived, an attempt ended, time
/// passed) and carries out the `Directive`s it returns. Time is passed in, so tests drive it with any instants.
///
/// Placement never scans the queue (docs/scheduling.md): queued jobs wait in clusters of interchangeable jobs
/// (`ClusterKey`), indexed by capability; workers with a free slot are indexed by the capabilities they offer. A
/// new job looks only at the free workers offering its capability; a freed slot looks only at the clusters of the
/// capabilities its worker offers, in fair-share order (least recent usage first, then oldest job first).
public struct Scheduler: Sendable {
    public struct Configuration: Sendable {
        /// How many times a job is handed out before it fails for good.
        public var maxAttempts: Int = 3
        /// How long past its timeout a lease is kept before the attempt counts as lost.
        public var leaseGrace: Duration = .seconds(5)
        /// A job whose input crashed plugin runners on this many different workers fails as a likely poison input.
        public var poisonCrashes: Int = 2
        /// How long a job may wait for its first worker before it fails (a job's own `queueTimeoutSeconds` wins);
        /// nil waits for ever.
        public var queueTimeout: Duration? = .seconds(3600)
        /// The half-life of a submitter's recent usage in fair-share ordering.
        public var fairShareHalfLife: Duration = .seconds(600)
        public init() {}
    }

    /// What the service must do.
    public enum Directive: Sendable, Hashable {
        /// Send the job to the worker; `cost` is the price fixed for this attempt.
        case assign(JobID, to: PeerID, attempt: Int, cost: Int)
        /// The job is back in the queue; record why.
        case requeue(JobID, reason: String)
        /// The job has failed for good; refund it.
        case fail(JobID, reason: String)
    }

    /// A job's current attempt on a worker.
    public struct Lease: Sendable, Hashable {
        public var worker: PeerID
        public var attempt: Int
        public var deadline: ContinuousClock.Instant
        /// The price of the job on that worker, fixed at assignment.
        public var cost: Int
    }

    public let configuration: Configuration
    /// Every job not yet final: queued or leased.
    var jobs: [JobID: SchedulableJob] = [:]
    var leases: [JobID: Lease] = [:]
    var workers: [PeerID: ScheduledWorker] = [:]
    /// The cluster each queued job waits in, and its place in submission order.
    var queued: [JobID: (key: ClusterKey, sequence: UInt64)] = [:]
    var clusters: [ClusterKey: JobCluster] = [:]
    var clustersByCapability: [String: Set<ClusterKey>] = [:]
    /// Workers with at least one free slot, by each capability they offer, in placement order.
    var freeWorkers: [String: FreeWorkerList] = [:]
    /// The free-slot count each indexed worker's entries were filed under.
    var indexedFree: [PeerID: Int] = [:]
    var fairShare: FairShare
    var nextSequence: UInt64 = 0
    /// Submission order of every job (kept across retries, so a retried job keeps its place).
    var sequences: [JobID: UInt64] = [:]
    var leaseDeadlines = DeadlineHeap()
    /// Workers with a slot freed by a bounced assignment, filled at the next tick rather than at once (the
    /// worker's session is likely gone).
    var fillAtNextTick: Set<PeerID> = []
    /// How many job-worker verdicts placement has evaluated: the measure of its work that tests hold steady
    /// however deep the queue is.
    public internal(set) var verdictsEvaluated = 0
    var queueDeadlines = DeadlineHeap()
    /// Every worker's standing, connected or not (Scheduler+Standing.swift).
    var standings: [PeerID: WorkerStanding] = [:]
    /// Standing changes not yet taken by the service to be stored (`takeStandingChanges`).
    var standingChanges: [(peer: PeerID, event: WorkerStanding.Event)] = []
    /// The workers the runs of each redundant job went to, with the run each took: a run never goes to a worker that
    /// another run of its job went to (it may go back to one where its own attempt was lost).
    var runWorkers: [JobID: [PeerID: JobID]] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        fairShare = FairShare(halfLife: configuration.fairShareHalfLife)
    }

    // MARK: Events

    /// A worker connected and advertised itself; `joinedAt` is the wall-clock time in Unix milliseconds.
    public mutating func workerJoined(
        _ peer: PeerID, ad: WorkerAd, joinedAt: Int64 = 0, now: ContinuousClock.Instant
    ) -> [Directive] {
        var directives: [Directive] = []
        if workers[peer] != nil {
            // The same peer registering again replaces its old session.
            directives += workerLeft(peer, now: now)
        }
        workers[peer] = ScheduledWorker(ad: ad, joinedAt: joinedAt, standing: standings[peer] ?? WorkerStanding())
        indexFreeWorker(peer)
        return directives + fill(peer, now: now)
    }

    /// A worker disconnected: its running jobs go back to the queue (or fail when out of attempts).
    public mutating func workerLeft(_ peer: PeerID, now: ContinuousClock.Instant) -> [Directive] {
        guard let state = workers[peer] else { return [] }
        unindexFreeWorker(peer)
        workers[peer] = nil
        var directives: [Directive] = []
        for job in state.running.sorted() {
            leases[job] = nil
            jobs[job]?.failedOn.insert(peer)
            directives += retryOrFail(job, reason: "worker \(peer.short) disconnected while running it", now: now)
        }
        return directives
    }

    /// A connected worker sent a new ad (it quarantined a plugin): it keeps its running jobs, and queued jobs are
    /// placed against the new ad.
    public mutating func workerAdvertised(_ peer: PeerID, ad: WorkerAd, now: ContinuousClock.Instant) -> [Directive] {
        guard workers[peer] != nil else { return [] }
        unindexFreeWorker(peer)
        workers[peer]?.replaceAd(ad)
        indexFreeWorker(peer)
        return fill(peer, now: now)
    }

    /// A new job arrived (or an unfinished one was reloaded after a restart).
    public mutating func jobSubmitted(_ job: SchedulableJob, now: ContinuousClock.Instant) -> [Directive] {
        guard jobs[job.id] == nil else { return [] }
        if job.attempts >= configuration.maxAttempts {
            // Reloaded after a restart with its attempts used up.
            return [.fail(job.id, reason: "it used all \(configuration.maxAttempts) attempts")]
        }
        jobs[job.id] = job
        nextSequence += 1
        sequences[job.id] = nextSequence
        if job.attempts == 0,
           let timeout = job.queueTimeoutSeconds.map({ Duration.seconds($0) }) ?? configuration.queueTimeout {
            queueDeadlines.push(.init(deadline: now + timeout, job: job.id, generation: 0))
        }
        return enqueueOrPlace(job.id, now: now)
    }

    /// True when `worker` holds the lease of this attempt of the job: its outcome is the one to settle.
    public func holdsLease(_ id: JobID, attempt: Int, worker: PeerID) -> Bool {
        guard let lease = leases[id] else { return false }
        return lease.worker == worker && lease.attempt == attempt
    }

    /// The job's current lease, with the price fixed for it.
    public func lease(of id: JobID) -> Lease? {
        leases[id]
    }

    /// The assignment could not be delivered (the worker's session is gone, or the store failed): the lease is
    /// released and the job goes back to the front of its queue without using up an attempt.
    public mutating func assignmentFailed(_ id: JobID, reason: String, now: ContinuousClock.Instant) -> [Directive] {
        guard let lease = leases.removeValue(forKey: id), var job = jobs[id] else { return [] }
        release(id, from: lease.worker)
        fillAtNextTick.insert(lease.worker)
        job.attempts = max(0, job.attempts - 1)
        jobs[id] = job
        enqueue(id, front: true)
        return [.requeue(id, reason: reason)]
    }

    /// The worker finished an attempt. Returns nil when the report does not match a current lease (a late
    /// answer from an attempt that was already given up on), which the service ignores.
    public mutating func attemptFinished(
        _ id: JobID, attempt: Int, by worker: PeerID, now: ContinuousClock.Instant
    ) -> [Directive]? {
        guard holdsLease(id, attempt: attempt, worker: worker) else { return nil }
        leases[id] = nil
        forget(id)
        release(id, from: worker)
        return fill(worker, now: now)
    }

    /// Takes a queued job out of the queue; false when it is not queued (unknown, leased or finished).
    public mutating func cancel(_ id: JobID) -> Bool {
        guard queued[id] != nil else { return false }
        forget(id)
        return true
    }

    /// The worker holding the lease reported a failure that another worker might not hit: the job is retried,
    /// preferring workers it has not failed on, until its attempts run out. Nil when the lease does not match.
    ///
    /// `crashed` says the plugin's runner died: once the job's input has crashed runners on
    /// `configuration.poisonCrashes` different workers, the job fails as a likely poison input instead of being
    /// handed to every worker in turn.
    public mutating func attemptFailed(
        _ id: JobID, attempt: Int, by worker: PeerID, reason: String, crashed: Bool = false,
        now: ContinuousClock.Instant
    ) -> [Directive]? {
        guard holdsLease(id, attempt: attempt, worker: worker) else { return nil }
        leases[id] = nil
        release(id, from: worker)
        jobs[id]?.failedOn.insert(worker)
        recordStanding(crashed ? .crashed : .failed, for: worker)
        let failure = "attempt \(attempt) failed on worker \(worker.short): \(reason)"
        if crashed, var job = jobs[id] {
            job.crashedOn.insert(worker)
            jobs[id] = job
            if job.crashedOn.count >= configuration.poisonCrashes {
                forget(id)
                let count = job.crashedOn.count
                return [.fail(id, reason: "\(failure); its input crashed the plugin on \(count) different "
                              + "workers, so it is failed as a likely poison input")] + fill(worker, now: now)
            }
        }
        return retryOrFail(id, reason: failure, now: now) + fill(worker, now: now)
    }

    /// Leases past their deadline count as lost attempts; jobs no worker took before their queue deadline fail.
    public mutating func tick(now: ContinuousClock.Instant) -> [Directive] {
        compactDeadlines()
        var directives = expireQueueDeadlines(now: now)
        var freed = fillAtNextTick
        fillAtNextTick = []
        while let top = leaseDeadlines.top, top.deadline <= now {
            _ = leaseDeadlines.pop()
            guard let lease = leases[top.job], lease.attempt == top.generation, lease.deadline <= now else { continue }
            leases[top.job] = nil
            release(top.job, from: lease.worker)
            freed.insert(lease.worker)
            jobs[top.job]?.failedOn.insert(lease.worker)
            recordStanding(.timedOut, for: lease.worker)
            directives += retryOrFail(top.job, reason: "worker \(lease.worker.short) did not answer before the lease "
                                      + "ran out", now: now)
        }
        for worker in freed.sorted() {
            directives += fill(worker, now: now)
        }
        return directives
    }

    /// Drops stale deadline entries once they outnumber the live ones (amortised: each compaction is paid for by
    /// as many events as it removes).
    mutating func compactDeadlines() {
        if queueDeadlines.count > 2 * queued.count + 1024 {
            let queued = self.queued
            let jobs = self.jobs
            queueDeadlines.compact { entry in queued[entry.job] != nil && jobs[entry.job]?.attempts == 0 }
        }
        if leaseDeadlines.count > 2 * leases.count + 1024 {
            let leases = self.leases
            leaseDeadlines.compact { entry in leases[entry.job]?.attempt == entry.generation }
        }
    }

    /// Fails the queued jobs that never got a worker and whose queue deadline has passed, saying why they waited.
    /// A job that ran at least once is retried until its attempts run out instead.
    private mutating func expireQueueDeadlines(now: ContinuousClock.Instant) -> [Directive] {
        var expired: [Directive] = []
        while let top = queueDeadlines.top, top.deadline <= now {
            _ = queueDeadlines.pop()
            guard let job = jobs[top.job], job.attempts == 0, queued[top.job] != nil else { continue }
            let waited = job.queueTimeoutSeconds.map { Duration.seconds($0) } ?? configuration.queueTimeout ?? .zero
            let why = explainWaiting(top.job) ?? "no worker took it"
            expired.append(.fail(top.job, reason: "no worker took it within its queue timeout of "
                                 + "\(waited.components.seconds) s: \(why)"))
            forget(top.job)
        }
        return expired
    }
}
