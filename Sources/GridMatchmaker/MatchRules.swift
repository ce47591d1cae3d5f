import GridCore

/// Whether one worker can take one job, and if not, why.
public enum MatchRules {
    public enum Verdict: Sendable, Hashable {
        case fits
        case rejected(String)
    }

    /// One part of the matching rules, checked on its own by `failure(of:_:worker:)`.
    public enum Clause: String, Sendable, Hashable, CaseIterable {
        /// The worker offers the job's capability.
        case capability
        /// One of those offers is in the job's version range.
        case version
        /// For a run of a redundant job: one offer in the range is deterministic (its output can be compared).
        case deterministic
        /// The worker carries every label the job names, with the same value.
        case labels
        /// The job's `requirements` hold for the worker and one fitting offer.
        case requirements
        /// The worker's accept policy takes the job.
        case accept
        /// The worker has a free slot.
        case slots
    }

    /// Whether `worker` can take `job` now: capability and version (deterministic, for a run of a redundant job),
    /// labels, a free slot, the job's requirements and the worker's accept policy, checked in that order (cheapest
    /// first); the first that fails is the reason.
    static func verdict(_ job: SchedulableJob, worker: ScheduledWorker) -> Verdict {
        if let reason = failure(of: .capability, job, worker: worker) ?? failure(of: .version, job, worker: worker)
            ?? failure(of: .deterministic, job, worker: worker) ?? failure(of: .labels, job, worker: worker)
            ?? failure(of: .slots, job, worker: worker) {
            return .rejected(reason)
        }
        if job.requirements == nil && worker.accept == nil && worker.acceptProblem == nil { return .fits }
        let jobAttributes = job.attributes
        if let reason = failure(of: .requirements, job, worker: worker, jobAttributes: jobAttributes)
            ?? failure(of: .accept, job, worker: worker, jobAttributes: jobAttributes) {
            return .rejected(reason)
        }
        return .fits
    }

    /// Whether `worker` could take `job` if it had a free slot (every clause but `slots` passes).
    static func fitsIgnoringSlots(_ job: SchedulableJob, worker: ScheduledWorker) -> Bool {
        let jobAttributes = job.attributes
        return MatchRules.Clause.allCases.allSatisfy { clause in
            clause == .slots || failure(of: clause, job, worker: worker, jobAttributes: jobAttributes) == nil
        }
    }

    /// Why `worker` fails `clause` for `job`, in a phrase; nil when it passes. `version`, `deterministic` and
    /// `requirements` pass a worker that does not offer the capability at all (`capability` is the clause that rules
    /// it out), and `deterministic` one that offers it only outside the range (`version` rules it out).
    /// `jobAttributes` is `job.attributes`, when the caller has it already.
    static func failure(of clause: Clause, _ job: SchedulableJob, worker: ScheduledWorker,
                        jobAttributes: Attributes? = nil) -> String? {
        switch clause {
        case .capability:
            guard let offers = worker.offers[job.capability], !offers.isEmpty else {
                return "capability '\(job.capability)' not offered"
            }
            return nil
        case .version:
            guard let offers = worker.offers[job.capability], !offers.isEmpty,
                  !offers.contains(where: { job.versionRange.contains($0.version) }) else { return nil }
            let versions = offers.map(\.version.description).joined(separator: ", ")
            return "'\(job.capability)' is offered at \(versions), outside the wanted range \(job.versionRange)"
        case .deterministic:
            guard job.id.isRun, let offers = worker.offers[job.capability] else { return nil }
            let inRange = offers.filter { job.versionRange.contains($0.version) }
            guard !inRange.isEmpty, !inRange.contains(where: \.deterministic) else { return nil }
            return "'\(job.capability)' is not deterministic here, so it cannot run a job for a quorum"
        case .labels:
            guard !job.labels.isEmpty else { return nil }
            for (key, value) in job.labels.sorted(by: { $0.key < $1.key })
            where worker.ad.attributes.labels[key] != value {
                return "label \(key)=\(value) is required"
            }
            return nil
        case .slots:
            return worker.freeSlots > 0 ? nil : "all slots busy"
        case .requirements:
            guard let requirements = job.requirements, let offers = worker.offers[job.capability] else { return nil }
            // The requirements see the offer's plugin under `plugin.`; one fitting offer that satisfies them is enough.
            let context = Attributes.requirementContext(worker: worker.attributes,
                                                        job: jobAttributes ?? job.attributes,
                                                        submitter: job.submitter.hex)
            var failure: String?
            for offer in offers where job.versionRange.contains(offer.version) {
                failure = requirements.match(withPlugin(offer, context)).reason
                if failure == nil { break }
            }
            return failure.map { "requirements '\(requirements.source)' not met: \($0)" }
        case .accept:
            if let problem = worker.acceptProblem { return problem }
            guard let accept = worker.accept else { return nil }
            let context = Attributes.acceptContext(worker: worker.attributes, job: jobAttributes ?? job.attributes,
                                                   submitter: job.submitter.hex)
            return accept.match(context).reason.map { "worker policy '\(accept.source)' refuses it: \($0)" }
        }
    }

    /// What the job costs on this worker: the highest price among its offers that fit the job.
    static func cost(of job: SchedulableJob, on worker: ScheduledWorker) -> Int? {
        var highest: Int?
        for offer in worker.offers[job.capability] ?? [] where job.versionRange.contains(offer.version) {
            highest = max(highest ?? offer.cost, offer.cost)
        }
        return highest
    }

    /// The job's rank for this worker; nil (undefined or no rank) ranks last.
    static func rank(_ job: SchedulableJob, worker: ScheduledWorker) -> Double? {
        guard let rank = job.rank else { return nil }
        var context = Attributes.requirementContext(worker: worker.attributes, job: job.attributes,
                                                    submitter: job.submitter.hex)
        if let offer = worker.offers[job.capability]?.first(where: { job.versionRange.contains($0.version) }) {
            context = withPlugin(offer, context)
        }
        return rank.rank(context)
    }

    /// Whether a worker advertising `ad` and running `running` jobs can take `job` (see the other `verdict`).
    public static func verdict(_ job: SchedulableJob, worker ad: WorkerAd, running: Int) -> Verdict {
        verdict(job, worker: ScheduledWorker(ad: ad, joinedAt: 0, occupied: running))
    }

    /// The job's rank on a worker advertising `ad` and running `running` jobs.
    public static func rank(_ job: SchedulableJob, worker ad: WorkerAd, running: Int) -> Double? {
        rank(job, worker: ScheduledWorker(ad: ad, joinedAt: 0, occupied: running))
    }

    /// `context` with the plugin behind `offer` attached under `plugin.`: `plugin.name`, `plugin.author` (a peer id
    /// in hex, or "unsigned").
    public static func withPlugin(_ offer: CapabilityOffer, _ context: Attributes) -> Attributes {
        var result = context
        result.attach(Attributes(["name": .string(offer.plugin), "author": .string(offer.author)]), as: "plugin")
        return result
    }

    /// A worker as expressions see it: cores, memory_gb, os, arch, labels.*, slots, slots_free, load, capabilities,
    /// and its standing: jobs_done, failures, timeouts, crashes, disagreements, failure_rate.
    public static func attributes(of ad: WorkerAd, running: Int, standing: WorkerStanding = WorkerStanding())
        -> Attributes {
        let a = ad.attributes
        var values: [String: Value] = [
            "cores": .int(a.cores), "memory_gb": .decimal(a.memoryGB), "os": .string(a.os), "arch": .string(a.arch),
            "slots": .int(ad.slots), "slots_free": slotsFree(of: ad, running: running),
            "load": load(of: ad, running: running),
            "capabilities": .list(ad.capabilities.map { .string($0.name) }),
            "jobs_done": .int(standing.done), "failures": .int(standing.failed), "timeouts": .int(standing.timedOut),
            "crashes": .int(standing.crashed), "disagreements": .int(standing.disagreed),
            "failure_rate": .decimal(standing.failureRate),
        ]
        for (key, value) in a.labels { values["labels." + key] = .string(value) }
        return Attributes(values)
    }

    /// The worker's `slots_free` with `running` jobs: the one attribute besides `load` that a job starting or ending
    /// changes.
    static func slotsFree(of ad: WorkerAd, running: Int) -> Value {
        .int(max(0, ad.slots - running))
    }

    /// The worker's `load` with `running` jobs: running jobs per slot (1 for a worker without slots).
    static func load(of ad: WorkerAd, running: Int) -> Value {
        .decimal(ad.slots > 0 ? Double(running) / Double(ad.slots) : 1)
    }
}
