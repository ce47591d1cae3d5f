import GridCore

/// The matchmaker's placement logic: a value type that does no I/O.
///
/// The service feeds it events (a worker joined or left, a job arrived, an attempt ended, time passed) and
/// carries out the `Directive`s it returns. Time is passed in, so tests drive it with any instants they like.
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
        public init() {}
    }

    /// What the service must do.
    public enum Directive: Sendable, Hashable {
        /// Send the job to the worker.
        case assign(JobID, to: PeerID, attempt: Int)
        /// The job is back in the queue; record why.
        case requeue(JobID, reason: String)
        /// The job has failed for good; refund it.
        case fail(JobID, reason: String)
    }

    struct WorkerState: Sendable {
        var ad: WorkerAd
        var running: Set<JobID>
        var joinedAt: ContinuousClock.Instant
    }

    struct Lease: Sendable {
        var worker: PeerID
        var attempt: Int
        var deadline: ContinuousClock.Instant
    }

    public let configuration: Configuration
    private(set) var queue: [JobID] = []
    private(set) var jobs: [JobID: SchedulableJob] = [:]
    private(set) var leases: [JobID: Lease] = [:]
    private(set) var workers: [PeerID: WorkerState] = [:]
    /// When each job that no worker has taken yet gives up waiting; checked by `tick(now:)`.
    private(set) var queueDeadlines: [JobID: ContinuousClock.Instant] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    // MARK: Events

    /// A worker connected and advertised itself.
    public mutating func workerJoined(_ peer: PeerID, ad: WorkerAd, now: ContinuousClock.Instant) -> [Directive] {
        var directives: [Directive] = []
        if workers[peer] != nil {
            // The same peer registering again replaces its old session.
            directives += workerLeft(peer, now: now)
        }
        workers[peer] = WorkerState(ad: ad, running: [], joinedAt: now)
        return directives + placeQueued(now: now)
    }

    /// A worker disconnected: its running jobs go back to the queue (or fail when out of attempts).
    public mutating func workerLeft(_ peer: PeerID, now: ContinuousClock.Instant) -> [Directive] {
        guard let state = workers.removeValue(forKey: peer) else { return [] }
        var directives: [Directive] = []
        for job in state.running.sorted() {
            leases[job] = nil
            jobs[job]?.failedOn.insert(peer)
            directives += retryOrFail(job, reason: "worker \(peer.short) disconnected while running it")
        }
        return directives + placeQueued(now: now)
    }

    /// A connected worker sent a new ad (it quarantined a plugin): it keeps its running jobs, and queued jobs are
    /// placed against the new ad.
    public mutating func workerAdvertised(_ peer: PeerID, ad: WorkerAd, now: ContinuousClock.Instant) -> [Directive] {
        guard workers[peer] != nil else { return [] }
        workers[peer]?.ad = ad
        return placeQueued(now: now)
    }

    /// A new job arrived (or an unfinished one was reloaded after a restart).
    public mutating func jobSubmitted(_ job: SchedulableJob, now: ContinuousClock.Instant) -> [Directive] {
        guard jobs[job.id] == nil else { return [] }
        jobs[job.id] = job
        queue.append(job.id)
        if let timeout = job.queueTimeoutSeconds.map({ Duration.seconds($0) }) ?? configuration.queueTimeout {
            queueDeadlines[job.id] = now + timeout
        }
        return placeQueued(now: now)
    }

    /// True when `worker` holds the lease of this attempt of the job: its outcome is the one to settle.
    public func holdsLease(_ id: JobID, attempt: Int, worker: PeerID) -> Bool {
        guard let lease = leases[id] else { return false }
        return lease.worker == worker && lease.attempt == attempt
    }

    /// The assignment could not be delivered (the worker's session is gone, or the store failed): the lease is
    /// released and the job goes back to the front of the queue without using up an attempt.
    public mutating func assignmentFailed(_ id: JobID, reason: String, now: ContinuousClock.Instant) -> [Directive] {
        guard let lease = leases.removeValue(forKey: id), var job = jobs[id] else { return [] }
        workers[lease.worker]?.running.remove(id)
        job.attempts = max(0, job.attempts - 1)
        jobs[id] = job
        queue.insert(id, at: 0)
        return [.requeue(id, reason: reason)]
    }

    /// The worker finished an attempt. Returns nil when the report does not match a current lease (a late
    /// answer from an attempt that was already given up on), which the service ignores.
    public mutating func attemptFinished(
        _ id: JobID, attempt: Int, by worker: PeerID, now: ContinuousClock.Instant
    ) -> [Directive]? {
        guard let lease = leases[id], lease.worker == worker, lease.attempt == attempt else { return nil }
        leases[id] = nil
        jobs[id] = nil
        workers[worker]?.running.remove(id)
        return placeQueued(now: now)
    }

    /// Takes a queued job out of the queue; false when it is not queued (unknown, leased or finished).
    public mutating func cancel(_ id: JobID) -> Bool {
        guard jobs[id] != nil, leases[id] == nil, let index = queue.firstIndex(of: id) else { return false }
        queue.remove(at: index)
        jobs[id] = nil
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
        workers[worker]?.running.remove(id)
        jobs[id]?.failedOn.insert(worker)
        let failure = "attempt \(attempt) failed on worker \(worker.short): \(reason)"
        if crashed, var job = jobs[id] {
            job.crashedOn.insert(worker)
            jobs[id] = job
            if job.crashedOn.count >= configuration.poisonCrashes {
                jobs[id] = nil
                let count = job.crashedOn.count
                return [.fail(id, reason: "\(failure); its input crashed the plugin on \(count) different workers, "
                              + "so it is failed as a likely poison input")] + placeQueued(now: now)
            }
        }
        return retryOrFail(id, reason: failure) + placeQueued(now: now)
    }

    /// Leases past their deadline count as lost attempts; jobs no worker took before their queue deadline fail.
    public mutating func tick(now: ContinuousClock.Instant) -> [Directive] {
        var directives = expireQueueDeadlines(now: now)
        for (id, lease) in leases.sorted(by: { $0.key < $1.key }) where lease.deadline <= now {
            leases[id] = nil
            workers[lease.worker]?.running.remove(id)
            jobs[id]?.failedOn.insert(lease.worker)
            directives += retryOrFail(id, reason: "worker \(lease.worker.short) did not answer before the lease ran out")
        }
        return directives + placeQueued(now: now)
    }

    /// Fails the queued jobs that never got a worker and whose queue deadline has passed, saying why they waited.
    /// A job that ran at least once is retried until its attempts run out instead.
    private mutating func expireQueueDeadlines(now: ContinuousClock.Instant) -> [Directive] {
        var expired: [Directive] = []
        var removed: Set<JobID> = []
        for (id, deadline) in queueDeadlines.sorted(by: { $0.key < $1.key }) {
            guard let job = jobs[id] else {
                queueDeadlines[id] = nil  // finished or cancelled
                continue
            }
            guard deadline <= now, job.attempts == 0, leases[id] == nil else { continue }
            let waited = job.queueTimeoutSeconds.map { Duration.seconds($0) } ?? configuration.queueTimeout ?? .zero
            let why = explainWaiting(id) ?? "no worker took it"
            expired.append(.fail(id, reason: "no worker took it within its queue timeout of "
                                 + "\(waited.components.seconds) s: \(why)"))
            queueDeadlines[id] = nil
            jobs[id] = nil
            removed.insert(id)
        }
        if !removed.isEmpty { queue.removeAll { removed.contains($0) } }
        return expired
    }

    // MARK: Queries

    /// Connected workers, sorted by peer id.
    public var connectedWorkers: [(peer: PeerID, ad: WorkerAd, running: Int)] {
        workers.sorted { $0.key < $1.key }.map { ($0.key, $0.value.ad, $0.value.running.count) }
    }

    /// What the job costs on `worker` (see `MatchRules.cost`).
    public func cost(of id: JobID, on worker: PeerID) -> Int? {
        guard let job = jobs[id], let ad = workers[worker]?.ad else { return nil }
        return MatchRules.cost(of: job, on: ad)
    }

    /// Whether the job is waiting in the queue.
    public func isQueued(_ id: JobID) -> Bool { queue.contains(id) }

    /// Why a queued job is not running, in a sentence.
    public func explainWaiting(_ id: JobID) -> String? {
        guard let job = jobs[id], leases[id] == nil else { return nil }
        let verdicts = workers.sorted { $0.key < $1.key }.map { MatchRules.verdict(job, worker: $0.value.ad, running: $0.value.running.count) }
        if verdicts.contains(where: { $0 == .fits }) { return "waiting for its turn in the queue" }
        let offered = Set(workers.values.flatMap { $0.ad.capabilities.map(\.name) }).sorted()
        if !offered.contains(job.capability) {
            let shown = offered.prefix(20).joined(separator: ", ") + (offered.count > 20 ? ", …" : "")
            let list = offered.isEmpty ? "none (no worker is connected)" : shown
            return "no connected worker offers capability '\(job.capability)'; capabilities on offer: \(list)"
        }
        let reasons = Set(verdicts.compactMap { verdict -> String? in
            if case .rejected(let reason) = verdict { return reason }
            return nil
        }).sorted()
        return "no worker fits: " + reasons.prefix(5).joined(separator: "; ") + (reasons.count > 5 ? "; …" : "")
    }

    // MARK: Placement

    private mutating func retryOrFail(_ id: JobID, reason: String) -> [Directive] {
        guard let job = jobs[id] else { return [] }
        if job.attempts >= configuration.maxAttempts {
            jobs[id] = nil
            return [.fail(id, reason: "\(reason); gave up after \(job.attempts) attempts")]
        }
        queue.insert(id, at: 0)
        return [.requeue(id, reason: reason)]
    }

    private mutating func placeQueued(now: ContinuousClock.Instant) -> [Directive] {
        var directives: [Directive] = []
        var stillQueued: [JobID] = []
        for id in queue {
            guard var job = jobs[id] else { continue }
            if job.attempts >= configuration.maxAttempts {
                // Reloaded after a restart with its attempts used up.
                jobs[id] = nil
                directives.append(.fail(id, reason: "it used all \(configuration.maxAttempts) attempts"))
                continue
            }
            guard let worker = bestWorker(for: job) else {
                stillQueued.append(id)
                continue
            }
            job.attempts += 1
            jobs[id] = job
            workers[worker]?.running.insert(id)
            let deadline = now + .seconds(job.timeoutSeconds) + configuration.leaseGrace
            leases[id] = Lease(worker: worker, attempt: job.attempts, deadline: deadline)
            directives.append(.assign(id, to: worker, attempt: job.attempts))
        }
        queue = stillQueued
        return directives
    }

    /// The fitting worker with the highest rank (an undefined rank is last), then the lowest price, then the most
    /// free slots; remaining ties go to the lower peer id, so placement is deterministic.
    private func bestWorker(for job: SchedulableJob) -> PeerID? {
        var best: (peer: PeerID, key: PlacementKey)?
        for (peer, state) in workers where MatchRules.verdict(job, worker: state.ad, running: state.running.count) == .fits {
            let key = PlacementKey(
                untried: !job.failedOn.contains(peer),
                rank: MatchRules.rank(job, worker: state.ad, running: state.running.count) ?? -.infinity,
                cost: MatchRules.cost(of: job, on: state.ad) ?? Int.max,
                free: state.ad.slots - state.running.count)
            if let current = best, current.key > key || (current.key == key && current.peer < peer) { continue }
            best = (peer, key)
        }
        return best?.peer
    }
}
