import GridCore

/// What makes queued jobs interchangeable for placement, as HTCondor's autoclusters: every field an expression or
/// a rule can see. Jobs with one key fit exactly the same workers, so placement checks a cluster once, however many
/// jobs wait in it. A job that was already tried is a cluster of its own: it carries which workers it failed on.
struct ClusterKey: Hashable, Sendable {
    var capability: String
    var versionRange: String
    var labels: [String: String]
    var requirements: String?
    var rank: String?
    var submitter: PeerID
    var maxCredits: Int
    var timeoutSeconds: Int
    var retried: JobID?
    /// The job whose runs these are (runs of one redundant job avoid each other's workers, so they cluster apart).
    var runsOf: JobID?

    init(_ job: SchedulableJob) {
        capability = job.capability
        versionRange = job.versionRange.description
        labels = job.labels
        requirements = job.requirements?.source
        rank = job.rank?.source
        submitter = job.submitter
        maxCredits = job.maxCredits
        timeoutSeconds = job.timeoutSeconds
        retried = job.attempts > 0 || !job.failedOn.isEmpty ? job.id : nil
        runsOf = job.id.isRun ? job.id.parentJob : nil
    }
}
