import GridCore

/// Whether one worker can take one job, and if not, why.
public enum MatchRules {
    public enum Verdict: Sendable, Hashable {
        case fits
        case rejected(String)
    }

    /// Whether `worker` can take `job` now: capability and version, labels, a free slot, the job's requirements
    /// and the worker's accept policy, checked in that order; the first that fails is the reason.
    static func verdict(_ job: SchedulableJob, worker: ScheduledWorker) -> Verdict {
        guard let offers = worker.offers[job.capability], !offers.isEmpty else {
            return .rejected("capability '\(job.capability)' not offered")
        }
        guard offers.contains(where: { job.versionRange.contains($0.version) }) else {
            let versions = offers.map(\.version.description).joined(separator: ", ")
            return .rejected("'\(job.capability)' is offered at \(versions), outside the wanted range \(job.versionRange)")
        }
        if job.id.isRun,
           !offers.contains(where: { job.versionRange.contains($0.version) && $0.deterministic }) {
            return .rejected("'\(job.capability)' is not deterministic here, so it cannot run a job for a quorum")
        }
        if !job.labels.isEmpty {
            for (key, value) in job.labels.sorted(by: { $0.key < $1.key })
            where worker.ad.attributes.labels[key] != value {
                return .rejected("label \(key)=\(value) is required")
            }
        }
        guard worker.freeSlots > 0 else { return .rejected("all slots busy") }
        if job.requirements == nil && worker.accept == nil && worker.acceptProblem == nil { return .fits }
        let jobAttributes = job.attributes
        if let requirements = job.requirements {
            // The requirements see the offer's plugin under `plugin.`; one fitting offer that satisfies them is enough.
            let context = Attributes.requirementContext(worker: worker.attributes, job: jobAttributes,
                                                        submitter: job.submitter.hex)
            var failure: String?
            for offer in offers where job.versionRange.contains(offer.version) {
                failure = requirements.match(withPlugin(offer, context)).reason
                if failure == nil { break }
            }
            if let failure {
                return .rejected("requirements '\(requirements.source)' not met: \(failure)")
            }
        }
        if let problem = worker.acceptProblem { return .rejected(problem) }
        if let accept = worker.accept {
            let context = Attributes.acceptContext(worker: worker.attributes, job: jobAttributes,
                                                   submitter: job.submitter.hex)
            if let reason = accept.match(context).reason {
                return .rejected("worker policy '\(accept.source)' refuses it: \(reason)")
            }
        }
        return .fits
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
            "slots": .int(ad.slots), "slots_free": .int(max(0, ad.slots - running)),
            "load": .decimal(ad.slots > 0 ? Double(running) / Double(ad.slots) : 1),
            "capabilities": .list(ad.capabilities.map { .string($0.name) }),
            "jobs_done": .int(standing.done), "failures": .int(standing.failed), "timeouts": .int(standing.timedOut),
            "crashes": .int(standing.crashed), "disagreements": .int(standing.disagreed),
            "failure_rate": .decimal(standing.failureRate),
        ]
        for (key, value) in a.labels { values["labels." + key] = .string(value) }
        return Attributes(values)
    }
}
