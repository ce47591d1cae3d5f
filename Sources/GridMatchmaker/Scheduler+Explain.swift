import GridCore

/// Why a queued job is not running: its request taken apart clause by clause against the connected workers
/// (`grid explain`, `grid status`, the queue-timeout failure). Read-only and pure.
extension Scheduler {
    /// Why a queued job (or the first queued run of a redundant job) is not running, in a sentence; nil when it is
    /// not waiting here.
    public func explainWaiting(_ id: JobID) -> String? {
        guard let job = jobs[waitingPart(of: id)], leases[job.id] == nil else { return nil }
        return clauseAnalysis(of: job, detailed: false).summary
    }

    /// The job itself, or for a redundant job its first run waiting in the queue (runs differ only in the workers
    /// their siblings went to).
    private func waitingPart(of id: JobID) -> JobID {
        guard jobs[id] == nil, !id.isRun else { return id }
        return (1...99).lazy.map { JobID(run: $0, of: id) }.first { queued[$0] != nil } ?? id
    }

    /// The clause-by-clause analysis of a queued job (or of the first queued run of a redundant job), with its
    /// fair-share position; nil when it is not queued.
    ///
    /// Walks every connected worker once per clause and, for the fair-share position, the queue once: it is meant for
    /// a person asking, not for placement.
    public func explainQueued(_ id: JobID, now: ContinuousClock.Instant) -> JobExplanation.Waiting? {
        let part = waitingPart(of: id)
        guard let job = jobs[part], leases[part] == nil, queued[part] != nil else { return nil }
        let analysis = clauseAnalysis(of: job, detailed: true)
        return JobExplanation.Waiting(
            connected: workers.count, clauses: analysis.clauses,
            fairShare: fairSharePosition(of: job, fitting: analysis.fittingIgnoringSlots, now: now),
            summary: analysis.summary)
    }

    /// The clauses, the workers that pass all but the slots clause, and the one-sentence summary.
    struct ClauseAnalysis {
        var clauses: [JobExplanation.Clause]
        var fittingIgnoringSlots: [PeerID]
        var summary: String
    }

    /// Checks `job` against every connected worker, clause by clause in request order; a worker ruled out by one
    /// clause is not checked against the later ones. Without `detailed` (a summary for `grid status` or a queue
    /// timeout, which must stay cheap) no suggestion is worked out and a policy refusal is never split off as price.
    func clauseAnalysis(of job: SchedulableJob, detailed: Bool) -> ClauseAnalysis {
        var left = workers.sorted { $0.key < $1.key }
        let ads = left.map(\.value.ad)
        let jobAttributes = job.attributes
        var clauses: [JobExplanation.Clause] = []

        /// Rules out the workers of `left` that fail `rule`; returns them with their reasons.
        func apply(_ rule: (PeerID, ScheduledWorker) -> String?) -> [(peer: PeerID, reason: String)] {
            var out: [(peer: PeerID, reason: String)] = []
            left.removeAll { entry in
                guard let reason = rule(entry.key, entry.value) else { return false }
                out.append((entry.key, reason))
                return true
            }
            return out
        }
        func add(_ name: MatchRules.Clause.RawValue, _ condition: String, _ out: [(peer: PeerID, reason: String)],
                 suggestion: () -> String? = { nil }) {
            clauses.append(JobExplanation.Clause(
                name: name, condition: condition,
                ruledOut: out.map { JobExplanation.RuledOut(worker: $0.peer.short, reason: $0.reason) },
                left: left.count, suggestion: out.isEmpty || !detailed ? nil : suggestion()))
        }
        func check(_ clause: MatchRules.Clause) -> [(peer: PeerID, reason: String)] {
            apply { MatchRules.failure(of: clause, job, worker: $1, jobAttributes: jobAttributes) }
        }

        let noCapability = check(.capability)
        add("capability", "capability \(job.capability) offered", noCapability,
            suggestion: { left.isEmpty ? ExplainSuggestions.capability(job.capability, among: ads) : nil })
        let offering = left.map(\.value.ad)
        let wrongVersion = check(.version)
        add("version", "version \(job.versionRange)", wrongVersion,
            suggestion: { ExplainSuggestions.versions(of: job.capability, among: offering) })
        if job.id.isRun {
            add("deterministic", "a deterministic offer (runs are compared for a quorum)", check(.deterministic),
                suggestion: { "it needs a worker whose plugin for \(job.capability) is deterministic" })
        }
        let labelled = left.map(\.value.ad)
        let wrongLabels = check(.labels)
        let labelText = job.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        add("labels", job.labels.isEmpty ? "labels (none asked)" : "labels \(labelText)", wrongLabels,
            suggestion: { ExplainSuggestions.labels(job.labels, among: labelled) })
        add("requirements", job.requirements.map { "requirements \($0.source)" } ?? "requirements (none)",
            check(.requirements))

        // A policy that would take the job for more credits is a price the job does not offer; any other refusal is
        // the policy's.
        var leastCredits: [PeerID: Int] = [:]
        var policyReasons: [PeerID: String] = [:]
        let refused = apply { peer, worker in
            guard let reason = MatchRules.failure(of: .accept, job, worker: worker, jobAttributes: jobAttributes)
            else { return nil }
            if detailed { leastCredits[peer] = ExplainSuggestions.leastCredits(accepting: job, worker: worker) }
            policyReasons[peer] = reason
            return leastCredits[peer] == nil ? reason : nil
        }
        add("accept", "worker accept policies", refused)
        let underpriced = apply { peer, _ in
            guard let credits = leastCredits[peer], let reason = policyReasons[peer] else { return nil }
            return "\(reason); it takes the job from maxCredits \(credits)"
        }
        add("price", "maxCredits \(job.maxCredits)", underpriced,
            suggestion: { leastCredits.values.min().map { "raise maxCredits to \($0)" } })

        if job.id.isRun {
            // Runs of one redundant job go to distinct workers.
            add("runs", "no other run of this job there", apply { peer, _ in
                ranAnotherRun(job.id, on: peer) ? "the worker already ran another run of this job" : nil
            }, suggestion: { "it needs a worker that ran no other run of this job" })
        }
        let fittingIgnoringSlots = left.map(\.key)
        let busy = check(.slots)
        let waitFor = busy.count == 1 ? "worker \(busy[0].peer.short) frees a slot"
            : "one of the \(busy.count) workers that fit it frees a slot"
        add("slots", "a free slot", busy, suggestion: { "it runs when \(waitFor), after the queued jobs ahead of it" })

        return ClauseAnalysis(clauses: clauses, fittingIgnoringSlots: fittingIgnoringSlots,
                              summary: summary(of: job, clauses: clauses, fitting: left.count))
    }

    /// One sentence: no worker at all, no worker offering the capability, its turn in the queue, or the reasons.
    private func summary(of job: SchedulableJob, clauses: [JobExplanation.Clause], fitting: Int) -> String {
        if fitting > 0 { return "waiting for its turn in the queue" }
        guard let first = clauses.first, first.left > 0 else {
            let offered = Set(workers.values.flatMap { $0.ad.capabilities.map(\.name) }).sorted()
            let shown = offered.prefix(20).joined(separator: ", ") + (offered.count > 20 ? ", …" : "")
            let list = offered.isEmpty ? "none (no worker is connected)" : shown
            return "no connected worker offers capability '\(job.capability)'; capabilities on offer: \(list)"
        }
        let reasons = Set(clauses.flatMap { $0.ruledOut.map(\.reason) }).sorted()
        return "no worker fits: " + reasons.prefix(5).joined(separator: "; ") + (reasons.count > 5 ? "; …" : "")
    }

    /// The queued jobs ahead of `job` in fair-share order (least recent usage of the submitter first, then oldest
    /// first) that fit at least one of the workers that fit it, slots aside.
    private func fairSharePosition(of job: SchedulableJob, fitting: [PeerID],
                                   now: ContinuousClock.Instant) -> JobExplanation.FairSharePosition {
        let usage = fairShare.usage(of: job.submitter, now: now)
        let candidates = fitting.compactMap { workers[$0] }
        guard !candidates.isEmpty else {
            return JobExplanation.FairSharePosition(jobsAhead: 0, clustersAhead: 0, usage: usage)
        }
        let mine = (fairShare.priority(of: job.submitter), sequences[job.id] ?? 0)
        var competes: [ClusterKey: Bool] = [:]
        var jobsAhead = 0
        var clustersAhead: Set<ClusterKey> = []
        for (other, place) in queued where other != job.id {
            guard (fairShare.priority(of: place.key.submitter), place.sequence) < mine else { continue }
            let fits: Bool
            if let known = competes[place.key] {
                fits = known
            } else {
                let representative = clusters[place.key]?.representative
                fits = representative.map { rival in
                    candidates.contains { MatchRules.fitsIgnoringSlots(rival, worker: $0) }
                } ?? false
                competes[place.key] = fits
            }
            guard fits else { continue }
            jobsAhead += 1
            clustersAhead.insert(place.key)
        }
        return JobExplanation.FairSharePosition(jobsAhead: jobsAhead, clustersAhead: clustersAhead.count, usage: usage)
    }
}
