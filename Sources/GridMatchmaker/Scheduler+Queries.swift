import GridCore

/// What the service and `grid status` ask of the scheduler.
extension Scheduler {
    /// A connected worker as `grid peers` shows it.
    public struct ConnectedWorker: Sendable {
        public var peer: PeerID
        public var ad: WorkerAd
        public var running: Int
        /// When it joined, in Unix milliseconds.
        public var joinedAt: Int64
    }

    /// Connected workers, sorted by peer id.
    public var connectedWorkers: [ConnectedWorker] {
        workers.sorted { $0.key < $1.key }.map {
            ConnectedWorker(peer: $0.key, ad: $0.value.ad, running: $0.value.running.count,
                            joinedAt: $0.value.joinedAt)
        }
    }

    /// A connected worker's offer of `capability` in `range` that says its output is not deterministic, if any.
    public func nondeterministicOffer(of capability: String, in range: VersionRange)
        -> (worker: PeerID, offer: CapabilityOffer)? {
        for (peer, worker) in workers.sorted(by: { $0.key < $1.key }) {
            for offer in worker.offers[capability] ?? [] where !offer.deterministic && range.contains(offer.version) {
                return (peer, offer)
            }
        }
        return nil
    }

    /// Whether the job is waiting in the queue.
    public func isQueued(_ id: JobID) -> Bool { queued[id] != nil }

    /// How many jobs wait in the queue.
    public var queuedCount: Int { queued.count }

    /// The leases `peer` holds, by job.
    public func leases(heldBy peer: PeerID) -> [(job: JobID, lease: Lease)] {
        (workers[peer]?.running ?? []).sorted().compactMap { job in leases[job].map { (job, $0) } }
    }

    /// The leases a `tick(now:)` at `now` will find run out, by job; looks only at expired deadlines.
    public func leasesExpiring(by now: ContinuousClock.Instant) -> [(job: JobID, lease: Lease)] {
        guard let top = leaseDeadlines.top, top.deadline <= now else { return [] }
        var heap = leaseDeadlines
        var expiring: [(job: JobID, lease: Lease)] = []
        while let entry = heap.pop(), entry.deadline <= now {
            guard let lease = leases[entry.job], lease.attempt == entry.generation, lease.deadline <= now else {
                continue
            }
            expiring.append((entry.job, lease))
        }
        return expiring
    }
}
