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

    /// Why a queued job is not running, in a sentence.
    public func explainWaiting(_ id: JobID) -> String? {
        guard let job = jobs[id], leases[id] == nil else { return nil }
        let verdicts = workers.sorted { $0.key < $1.key }.map { peer, worker -> MatchRules.Verdict in
            ranAnotherRun(job.id, on: peer) ? .rejected("the worker already ran another run of this job")
                : MatchRules.verdict(job, worker: worker)
        }
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
}
