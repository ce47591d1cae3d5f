import GridCore

/// Whether one worker can take one job, and if not, why.
public enum MatchRules {
    public enum Verdict: Sendable, Hashable {
        case fits
        case rejected(String)
    }

    public static func verdict(_ job: SchedulableJob, worker ad: WorkerAd, running: Int) -> Verdict {
        let offers = ad.capabilities.filter { $0.name == job.capability }
        guard !offers.isEmpty else { return .rejected("capability '\(job.capability)' not offered") }
        guard offers.contains(where: { job.versionRange.contains($0.version) }) else {
            let versions = offers.map(\.version.description).joined(separator: ", ")
            return .rejected("'\(job.capability)' is offered at \(versions), outside the wanted range \(job.versionRange)")
        }
        for (key, value) in job.labels.sorted(by: { $0.key < $1.key }) where ad.attributes.labels[key] != value {
            return .rejected("label \(key)=\(value) is required")
        }
        guard running < ad.slots else { return .rejected("all slots busy") }
        return .fits
    }
}
