import Foundation

/// What the matchmaker knows about a job, as clients see it.
public struct JobRecord: Hashable, Sendable, Codable {
    public var id: JobID
    public var capability: String
    public var version: String
    public var submitter: PeerID
    public var status: JobStatus
    /// The worker that ran (or is running) it.
    public var worker: PeerID?
    public var attempts: Int
    /// The result bytes, present once succeeded (omitted from listings).
    public var output: Data?
    /// Why it failed, or why it is still waiting.
    public var message: String?
    /// Credits paid to the worker.
    public var credits: Int
    public var maxCredits: Int
    /// Unix milliseconds.
    public var submittedAt: Int64
    public var finishedAt: Int64?

    public init(id: JobID, capability: String, version: String, submitter: PeerID, status: JobStatus,
                worker: PeerID? = nil, attempts: Int = 0, output: Data? = nil, message: String? = nil,
                credits: Int = 0, maxCredits: Int, submittedAt: Int64, finishedAt: Int64? = nil) {
        self.id = id
        self.capability = capability
        self.version = version
        self.submitter = submitter
        self.status = status
        self.worker = worker
        self.attempts = attempts
        self.output = output
        self.message = message
        self.credits = credits
        self.maxCredits = maxCredits
        self.submittedAt = submittedAt
        self.finishedAt = finishedAt
    }
}
