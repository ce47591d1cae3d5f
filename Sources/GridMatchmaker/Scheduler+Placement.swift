import GridCore

/// Queues, indexes and placement: everything an event does to find work for a slot or a slot for a job.
extension Scheduler {
    /// Places the job on the best free worker that fits it, or queues it in its cluster. A cluster that already
    /// holds jobs fits no free worker (every freed slot drains the clusters it fits), so the job simply joins it.
    mutating func enqueueOrPlace(_ id: JobID, now: ContinuousClock.Instant) -> [Directive] {
        guard let job = jobs[id] else { return [] }
        let key = ClusterKey(job)
        if clusters[key] != nil, liveHead(key) != nil {
            enqueue(id, front: false)
            return []
        }
        if let worker = bestFreeWorker(for: job) {
            return [assign(id, to: worker, now: now)]
        }
        enqueue(id, front: false)
        return []
    }

    /// Puts a job in its cluster's queue (at the front when its assignment bounced).
    mutating func enqueue(_ id: JobID, front: Bool) {
        guard let job = jobs[id] else { return }
        let key = ClusterKey(job)
        let sequence = sequences[id] ?? 0
        let entry = JobCluster.Entry(sequence: sequence, job: id)
        // Mutated in place: copying the cluster out and back would copy its whole queue on every job.
        if front {
            clusters[key, default: JobCluster(representative: job)].prepend(entry)
        } else {
            clusters[key, default: JobCluster(representative: job)].append(entry)
        }
        clustersByCapability[key.capability, default: []].insert(key)
        queued[id] = (key, sequence)
    }

    /// Forgets a job for good (finished, failed, cancelled): its cluster entry is skipped when reached.
    mutating func forget(_ id: JobID) {
        jobs[id] = nil
        queued[id] = nil
        sequences[id] = nil
    }

    /// A job that lost its attempt: back to the queue (placed at once when a free worker fits), or failed when
    /// it has used all its attempts.
    mutating func retryOrFail(_ id: JobID, reason: String, now: ContinuousClock.Instant) -> [Directive] {
        guard let job = jobs[id] else { return [] }
        if job.attempts >= configuration.maxAttempts {
            forget(id)
            return [.fail(id, reason: "\(reason); gave up after \(job.attempts) attempts")]
        }
        return [.requeue(id, reason: reason)] + enqueueOrPlace(id, now: now)
    }

    /// Gives `worker`'s free slots to queued jobs: among the clusters of the capabilities it offers that fit it,
    /// the one whose submitter used least lately, then the one holding the oldest job.
    mutating func fill(_ peer: PeerID, now: ContinuousClock.Instant) -> [Directive] {
        var directives: [Directive] = []
        while let worker = workers[peer], worker.freeSlots > 0 {
            var best: (key: ClusterKey, usage: Double, sequence: UInt64)?
            for capability in worker.offers.keys {
                for key in clustersByCapability[capability] ?? [] {
                    guard let head = liveHead(key) else { continue }
                    let usage = fairShare.priority(of: key.submitter)
                    if let current = best,
                       (current.usage, current.sequence) <= (usage, head.sequence) { continue }
                    guard let cluster = clusters[key] else { continue }
                    verdictsEvaluated += 1
                    // The head's own id: runs of one job share a cluster, and each may only avoid the others.
                    guard !ranAnotherRun(head.job, on: peer),
                          MatchRules.verdict(cluster.representative, worker: worker) == .fits else { continue }
                    best = (key, usage, head.sequence)
                }
            }
            guard let chosen = best, let head = liveHead(chosen.key) else { break }
            clusters[chosen.key]?.removeFirst()
            dropIfEmpty(chosen.key)
            queued[head.job] = nil
            directives.append(assign(head.job, to: peer, now: now))
        }
        return directives
    }

    /// The first entry of the cluster whose job is still queued in it; dead entries are dropped on the way.
    mutating func liveHead(_ key: ClusterKey) -> JobCluster.Entry? {
        while let entry = clusters[key]?.first {
            if let place = queued[entry.job], place.key == key, place.sequence == entry.sequence { return entry }
            clusters[key]?.removeFirst()
        }
        dropIfEmpty(key)
        return nil
    }

    private mutating func dropIfEmpty(_ key: ClusterKey) {
        guard let cluster = clusters[key], cluster.isEmpty else { return }
        clusters[key] = nil
        clustersByCapability[key.capability]?.remove(key)
        if clustersByCapability[key.capability]?.isEmpty == true { clustersByCapability[key.capability] = nil }
    }

    /// Leases the job to the worker: one more attempt, a deadline, the price fixed, usage charged.
    mutating func assign(_ id: JobID, to peer: PeerID, now: ContinuousClock.Instant) -> Directive {
        var job = jobs[id]!
        job.attempts += 1
        jobs[id] = job
        queued[id] = nil
        let cost = workers[peer].flatMap { MatchRules.cost(of: job, on: $0) } ?? 0
        let deadline = now + .seconds(job.timeoutSeconds) + configuration.leaseGrace
        leases[id] = Lease(worker: peer, attempt: job.attempts, deadline: deadline, cost: cost)
        leaseDeadlines.push(.init(deadline: deadline, job: id, generation: job.attempts))
        unindexFreeWorker(peer)
        workers[peer]?.start(id)
        indexFreeWorker(peer)
        fairShare.charge(job.submitter, now: now)
        if id.isRun { runWorkers[id.parentJob, default: [:]][peer] = id }
        return .assign(id, to: peer, attempt: job.attempts, cost: cost)
    }

    /// Frees the job's slot on the worker (if the worker is still connected).
    mutating func release(_ id: JobID, from peer: PeerID) {
        guard let worker = workers[peer], worker.running.contains(id) else { return }
        unindexFreeWorker(peer)
        workers[peer]?.stop(id)
        indexFreeWorker(peer)
    }

    /// The fitting free worker with the highest placement key (see `PlacementKey`); ties go to the lower peer id.
    ///
    /// The free list is in placement order for a job with no rank that has failed nowhere, so for such a job the
    /// first fitting entry that costs what its lower bound said wins, and the walk stops once no later entry can
    /// be cheaper. Any other job looks at every free worker offering its capability.
    mutating func bestFreeWorker(for job: SchedulableJob) -> PeerID? {
        guard let list = freeWorkers[job.capability] else { return nil }
        let ordered = job.rank == nil && job.failedOn.isEmpty
        var best: (peer: PeerID, key: PlacementKey)?
        for entry in list.entries {
            if ordered, let current = best, entry.minimumCost > current.key.cost { break }
            verdictsEvaluated += 1
            guard let key = placementKey(job, on: entry.peer) else { continue }
            if let current = best, current.key > key || (current.key == key && current.peer < entry.peer) { continue }
            best = (entry.peer, key)
            if ordered && key.cost == entry.minimumCost { break }
        }
        return best?.peer
    }

    /// The job's placement key on the worker, or nil when the worker cannot take it.
    private func placementKey(_ job: SchedulableJob, on peer: PeerID) -> PlacementKey? {
        guard let worker = workers[peer], !ranAnotherRun(job.id, on: peer),
              MatchRules.verdict(job, worker: worker) == .fits else { return nil }
        return PlacementKey(
            untried: !job.failedOn.contains(peer),
            rank: MatchRules.rank(job, worker: worker) ?? -.infinity,
            cost: MatchRules.cost(of: job, on: worker) ?? Int.max,
            free: worker.freeSlots)
    }

    /// Whether `id` is a run of a redundant job and another run of that job already went to the worker.
    func ranAnotherRun(_ id: JobID, on peer: PeerID) -> Bool {
        guard id.isRun, let run = runWorkers[id.parentJob]?[peer] else { return false }
        return run != id
    }

    /// Files the worker under each capability it offers, while it has a free slot.
    mutating func indexFreeWorker(_ peer: PeerID) {
        guard let worker = workers[peer], worker.freeSlots > 0 else { return }
        indexedFree[peer] = worker.freeSlots
        for (capability, offers) in worker.offers {
            let cheapest = offers.map(\.cost).min() ?? 0
            freeWorkers[capability, default: FreeWorkerList()]
                .insert(.init(minimumCost: cheapest, free: worker.freeSlots, peer: peer))
        }
    }

    /// Takes the worker out of the free lists (before its free-slot count or its ad changes).
    mutating func unindexFreeWorker(_ peer: PeerID) {
        guard let worker = workers[peer], let free = indexedFree.removeValue(forKey: peer) else { return }
        for (capability, offers) in worker.offers {
            let cheapest = offers.map(\.cost).min() ?? 0
            freeWorkers[capability]?.remove(.init(minimumCost: cheapest, free: free, peer: peer))
            if freeWorkers[capability]?.isEmpty == true { freeWorkers[capability] = nil }
        }
    }
}
