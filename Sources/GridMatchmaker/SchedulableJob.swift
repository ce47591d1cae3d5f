import GridCore

/// What the scheduler needs to know about a job to place it.
public struct SchedulableJob: Sendable, Hashable {
    public var id: JobID
    public var submitter: PeerID
    public var capability: String
    public var versionRange: VersionRange
    public var labels: [String: String]
    public var timeoutSeconds: Int
    public var maxCredits: Int
    /// Attempts already used (non-zero when a job is reloaded after a restart).
    public var attempts: Int

    public init(id: JobID, submitter: PeerID, capability: String, versionRange: VersionRange,
                labels: [String: String], timeoutSeconds: Int, maxCredits: Int, attempts: Int = 0) {
        self.id = id
        self.submitter = submitter
        self.capability = capability
        self.versionRange = versionRange
        self.labels = labels
        self.timeoutSeconds = timeoutSeconds
        self.maxCredits = maxCredits
        self.attempts = attempts
    }
}
