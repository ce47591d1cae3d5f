/// Why a job waits, or what happened to it: the answer to `grid explain JOB` (`Message.explain`).
///
/// For a job waiting in the queue, `waiting` takes the job's request apart clause by clause against the connected
/// workers, as HTCondor's `condor_q -better-analyze` does; for a job that ran, `attempts` lists every attempt.
/// `text` renders it for people (JobExplanation+Text.swift).
public struct JobExplanation: Hashable, Sendable, Codable {
    public var job: JobID
    public var status: JobStatus
    public var capability: String
    /// The version range asked for.
    public var version: String
    /// The stored message: why it failed, or why it waits.
    public var message: String?
    /// The clause-by-clause analysis, for a job waiting in the queue; nil otherwise.
    public var waiting: Waiting?
    /// Every attempt, oldest first, as committed to the matchmaker's store.
    public var attempts: [Attempt]

    public init(job: JobID, status: JobStatus, capability: String, version: String, message: String? = nil,
                waiting: Waiting? = nil, attempts: [Attempt] = []) {
        self.job = job
        self.status = status
        self.capability = capability
        self.version = version
        self.message = message
        self.waiting = waiting
        self.attempts = attempts
    }

    /// A waiting job against the connected workers.
    public struct Waiting: Hashable, Sendable, Codable {
        /// How many workers are connected.
        public var connected: Int
        /// Each part of the request in order: how many workers it rules out (cumulatively: a worker ruled out by an
        /// earlier clause is not counted again), which, and the smallest change that would help, where one exists.
        public var clauses: [Clause]
        /// Where the job stands in fair-share order among the queued jobs that compete for the same workers.
        public var fairShare: FairSharePosition
        /// One sentence: why it is not running (also `grid status` and the queue-timeout failure).
        public var summary: String

        public init(connected: Int, clauses: [Clause], fairShare: FairSharePosition, summary: String) {
            self.connected = connected
            self.clauses = clauses
            self.fairShare = fairShare
            self.summary = summary
        }

        /// The workers no clause rules out, as many as `connected` less every clause's count.
        public var fitting: Int { connected - clauses.reduce(0) { $0 + $1.ruledOut.count } }
    }

    /// One part of the request checked against the workers that earlier parts left.
    public struct Clause: Hashable, Sendable, Codable {
        /// Which part: `capability`, `version`, `labels`, `requirements`, `accept`, `price` or `slots`.
        public var name: String
        /// What it asks, such as `capability hash.sha3 offered` or `labels zone=eu`.
        public var condition: String
        /// The workers it rules out (short peer ids, sorted), each with the reason.
        public var ruledOut: [RuledOut]
        /// How many workers are left after it.
        public var left: Int
        /// The smallest change that would let the job pass this clause on some worker, when one is known.
        public var suggestion: String?

        public init(name: String, condition: String, ruledOut: [RuledOut], left: Int, suggestion: String? = nil) {
            self.name = name
            self.condition = condition
            self.ruledOut = ruledOut
            self.left = left
            self.suggestion = suggestion
        }
    }

    /// A worker a clause rules out, and why.
    public struct RuledOut: Hashable, Sendable, Codable {
        /// The worker's short peer id (its first 8 hex digits).
        public var worker: String
        public var reason: String

        public init(worker: String, reason: String) {
            self.worker = worker
            self.reason = reason
        }
    }

    /// The queued jobs ahead of this one for the workers that fit it (fair share: least recent usage of the
    /// submitter first, then oldest first).
    public struct FairSharePosition: Hashable, Sendable, Codable {
        /// Queued jobs ahead of it that fit at least one of the workers that fit it.
        public var jobsAhead: Int
        /// How many clusters of interchangeable jobs those are (docs/scheduling.md).
        public var clustersAhead: Int
        /// The submitter's recent usage, in placements (decaying with the fair-share half-life).
        public var usage: Double

        public init(jobsAhead: Int, clustersAhead: Int, usage: Double) {
            self.jobsAhead = jobsAhead
            self.clustersAhead = clustersAhead
            self.usage = usage
        }
    }

    /// One attempt of the job on a worker.
    public struct Attempt: Hashable, Sendable, Codable {
        /// Which run of a job run on several workers for a quorum (1, 2, …); nil for a job run once.
        public var run: Int?
        /// The attempt's number (of its run, for a redundant job), from 1.
        public var attempt: Int
        public var worker: PeerID
        /// Unix milliseconds.
        public var startedAt: Int64
        /// Unix milliseconds; nil while it runs.
        public var endedAt: Int64?
        /// Nil while it runs.
        public var outcome: AttemptOutcome?
        /// Why it failed or ended, when it did not succeed.
        public var reason: String?
        /// SHA-256 (lowercase hex) of the output the worker returned, when it returned one.
        public var outputDigest: String?

        public init(run: Int? = nil, attempt: Int, worker: PeerID, startedAt: Int64, endedAt: Int64? = nil,
                    outcome: AttemptOutcome? = nil, reason: String? = nil, outputDigest: String? = nil) {
            self.run = run
            self.attempt = attempt
            self.worker = worker
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.outcome = outcome
            self.reason = reason
            self.outputDigest = outputDigest
        }
    }
}
