import GridCore

/// What the scheduler needs to know about a job to place it.
public struct SchedulableJob: Sendable, Hashable {
    /// An expression over the worker's attributes that must hold (docs/expressions.md).
    public var requirements: MatchExpression?
    /// An expression over the worker's attributes; the worker with the highest rank is chosen.
    public var rank: MatchExpression?
    public var id: JobID
    public var submitter: PeerID
    public var capability: String
    public var versionRange: VersionRange
    public var labels: [String: String]
    public var timeoutSeconds: Int
    public var maxCredits: Int
    /// How long the job may wait for its first worker; nil takes the matchmaker's default.
    public var queueTimeoutSeconds: Int?
    /// Attempts already used (non-zero when a job is reloaded after a restart).
    public var attempts: Int
    /// Workers on which an attempt failed; others are preferred for the next one.
    public var failedOn: Set<PeerID> = []
    /// Workers on which an attempt crashed the plugin's runner (see `Scheduler.Configuration.poisonCrashes`).
    public var crashedOn: Set<PeerID> = []

    public init(id: JobID, submitter: PeerID, capability: String, versionRange: VersionRange,
                labels: [String: String], timeoutSeconds: Int, maxCredits: Int, attempts: Int = 0,
                requirements: MatchExpression? = nil, rank: MatchExpression? = nil, queueTimeoutSeconds: Int? = nil) {
        self.requirements = requirements
        self.rank = rank
        self.id = id
        self.submitter = submitter
        self.capability = capability
        self.versionRange = versionRange
        self.labels = labels
        self.timeoutSeconds = timeoutSeconds
        self.maxCredits = maxCredits
        self.attempts = attempts
        self.queueTimeoutSeconds = queueTimeoutSeconds
    }

    /// The job as expressions see it under `job.`: capability, version, max_credits, timeout_seconds, labels.*.
    public var attributes: Attributes {
        var values: [String: Value] = [
            "capability": .string(capability), "version": .string(versionRange.description),
            "max_credits": .int(maxCredits), "timeout_seconds": .int(timeoutSeconds), "attempts": .int(attempts),
        ]
        for (key, value) in labels { values["labels." + key] = .string(value) }
        return Attributes(values)
    }

    /// Builds the schedulable form of a checked request, compiling its expressions; errors name the field.
    public static func compile(id: JobID, submitter: PeerID, request: JobRequest, attempts: Int = 0)
        throws(JobSpecError) -> SchedulableJob {
        let range = try request.validate()
        func compile(_ text: String?, field: String) throws(JobSpecError) -> MatchExpression? {
            guard let text else { return nil }
            do {
                return try MatchExpression(parsing: text)
            } catch {
                throw JobSpecError(field: field, reason: "is not a valid expression: \(error.summary)\n\(error.caretDisplay)")
            }
        }
        return SchedulableJob(id: id, submitter: submitter, capability: request.capability, versionRange: range,
                              labels: request.labels, timeoutSeconds: request.timeoutSeconds,
                              maxCredits: request.maxCredits, attempts: attempts,
                              requirements: try compile(request.requirements, field: "requirements"),
                              rank: try compile(request.rank, field: "rank"),
                              queueTimeoutSeconds: request.queueTimeoutSeconds)
    }
}
