import Foundation

/// A job submission: the request plus the submitter's signed escrow of `maxCredits`.
public struct Submission: Hashable, Sendable, Codable {
    public var id: JobID
    public var request: JobRequest
    /// Unix milliseconds the submitter put in its escrow entry.
    public var escrowTimestamp: Int64
    /// The submitter's Ed25519 signature over the escrow entry's canonical bytes.
    public var escrowSignature: Data

    public init(id: JobID, request: JobRequest, escrowTimestamp: Int64, escrowSignature: Data) {
        self.id = id
        self.request = request
        self.escrowTimestamp = escrowTimestamp
        self.escrowSignature = escrowSignature
    }
}

/// A job handed to a worker.
public struct Assignment: Hashable, Sendable, Codable {
    public var job: JobID
    public var attempt: Int
    public var capability: String
    public var input: Data
    public var timeoutSeconds: Int

    public init(job: JobID, attempt: Int, capability: String, input: Data, timeoutSeconds: Int) {
        self.job = job
        self.attempt = attempt
        self.capability = capability
        self.input = input
        self.timeoutSeconds = timeoutSeconds
    }
}

/// A worker's answer to an assignment.
public struct JobOutcome: Hashable, Sendable, Codable {
    public var job: JobID
    public var attempt: Int
    /// The output on success; nil on failure.
    public var output: Data?
    /// Why it failed.
    public var error: String?
    /// CPU time the plugin used.
    public var cpuMillis: Int
    /// SHA-256 (hex) of the plugin binary that ran the job.
    public var pluginHash: String?

    public init(job: JobID, attempt: Int, output: Data?, error: String?, cpuMillis: Int, pluginHash: String?) {
        self.job = job
        self.attempt = attempt
        self.output = output
        self.error = error
        self.cpuMillis = cpuMillis
        self.pluginHash = pluginHash
    }
}

/// Every message of the PeerGrid protocol, carried as JSON inside encrypted frames.
///
/// The envelope is `{"v": 1, "type": "...", "body": {...}}`; a peer answers an unknown version or type with
/// `.failure` naming it.
public enum Message: Sendable, Hashable {
    // Worker → matchmaker
    case register(WorkerAd)
    case outcome(JobOutcome)
    // Matchmaker → worker
    case registered(grantedCredits: Int)
    case assign(Assignment)
    // Client → matchmaker
    case submit(Submission)
    case status(JobID)
    /// Waits until the job is final or `timeoutMillis` pass, then answers `.job`.
    case wait(JobID, timeoutMillis: Int)
    /// Withdraws a queued job of the sender's and refunds it; answers `.job`.
    case cancel(JobID)
    case listJobs
    case listPeers
    case balance(PeerID)
    // Matchmaker → client
    case job(JobRecord)
    case jobs([JobRecord])
    case peers([PeerInfo])
    case credits(Int)
    /// A request that could not be served, with a sentence saying why.
    case failure(String)
}
