import Foundation

/// A fully resolved job as it travels to the matchmaker: every field checked, the input loaded.
public struct JobRequest: Hashable, Sendable, Codable {
    public static let defaultTimeoutSeconds = 60
    public static let defaultMaxCredits = 10
    public static let maxTimeoutSeconds = 86_400
    /// The longest a job may ask to wait for its first worker: 30 days.
    public static let maxQueueTimeoutSeconds = 30 * 86_400
    public static let maxCredits = 1_000_000
    /// The largest input a job may carry (frames have a hard cap above it, with room for base64 in JSON).
    public static let maxInputBytes = 8 * 1024 * 1024
    /// The largest output a worker may return; a larger one fails the job.
    public static let maxOutputBytes = 8 * 1024 * 1024
    /// The most workers one job may ask to run it (`redundancy`).
    public static let maxRedundancy = 16

    public var capability: String
    /// A version range over the capability's version (`^1.0`, `>=1.2.0 <2.0.0`, `*`).
    public var version: String
    public var input: Data
    public var timeoutSeconds: Int
    public var maxCredits: Int
    /// Labels the worker must carry with these exact values.
    public var labels: [String: String]
    /// An expression over the worker's attributes that must hold.
    public var requirements: String?
    /// An expression over the worker's attributes; higher is preferred.
    public var rank: String?
    /// How long the job may wait for a worker to take it before it fails and is refunded; nil takes the
    /// matchmaker's default (`grid matchmaker --queue-timeout`).
    public var queueTimeoutSeconds: Int?
    /// How many distinct workers run the job (k); nil runs it once.
    public var redundancy: Int?
    /// How many of those runs must return byte-identical outputs (q ≤ k); nil takes a majority of `redundancy`.
    public var quorum: Int?

    public init(capability: String, version: String = "*", input: Data,
                timeoutSeconds: Int = JobRequest.defaultTimeoutSeconds,
                maxCredits: Int = JobRequest.defaultMaxCredits, labels: [String: String] = [:],
                requirements: String? = nil, rank: String? = nil, queueTimeoutSeconds: Int? = nil,
                redundancy: Int? = nil, quorum: Int? = nil) {
        self.capability = capability
        self.version = version
        self.input = input
        self.timeoutSeconds = timeoutSeconds
        self.maxCredits = maxCredits
        self.labels = labels
        self.requirements = requirements
        self.rank = rank
        self.queueTimeoutSeconds = queueTimeoutSeconds
        self.redundancy = redundancy
        self.quorum = quorum
    }

    /// How many workers run the job: `redundancy`, or 1.
    public var runs: Int { redundancy ?? 1 }

    /// How many identical outputs make the result: `quorum`, or a majority of the runs.
    public var quorumSize: Int { quorum ?? (runs / 2 + 1) }

    /// Whether the job runs on several workers and is decided by a quorum.
    public var isRedundant: Bool { runs > 1 }

    /// Credits escrowed at submission: `maxCredits` for each of the runs (each worker is paid at most
    /// `maxCredits`; what is not paid is refunded).
    public var escrowCredits: Int { maxCredits * runs }

    /// Checks every field; the matchmaker runs this again on what it receives.
    public func validate() throws(JobSpecError) -> VersionRange {
        guard CapabilityName.isValid(capability) else {
            throw JobSpecError(field: "capability", reason: "must be a dotted lowercase name like 'hash.sha256', got '\(capability)'")
        }
        let range: VersionRange
        do {
            range = try VersionRange(parsing: version)
        } catch {
            throw JobSpecError(field: "version", reason: "is not a version range: \(error.reason) (got '\(version)')")
        }
        guard input.count <= Self.maxInputBytes else {
            throw JobSpecError(field: "input", reason: "is \(input.count) bytes; the limit is \(Self.maxInputBytes)")
        }
        guard (1...Self.maxTimeoutSeconds).contains(timeoutSeconds) else {
            throw JobSpecError(field: "timeoutSeconds", reason: "must be from 1 to \(Self.maxTimeoutSeconds), got \(timeoutSeconds)")
        }
        if let queueTimeoutSeconds, !(1...Self.maxQueueTimeoutSeconds).contains(queueTimeoutSeconds) {
            throw JobSpecError(field: "queueTimeoutSeconds",
                               reason: "must be from 1 to \(Self.maxQueueTimeoutSeconds), got \(queueTimeoutSeconds)")
        }
        guard (1...Self.maxCredits).contains(maxCredits) else {
            throw JobSpecError(field: "maxCredits", reason: "must be from 1 to \(Self.maxCredits), got \(maxCredits)")
        }
        if let redundancy, !(1...Self.maxRedundancy).contains(redundancy) {
            throw JobSpecError(field: "redundancy", reason: "must be from 1 to \(Self.maxRedundancy), got \(redundancy)")
        }
        if let quorum {
            guard redundancy != nil else {
                throw JobSpecError(field: "quorum", reason: "needs 'redundancy' (how many workers run the job)")
            }
            guard (1...runs).contains(quorum) else {
                throw JobSpecError(field: "quorum", reason: "must be from 1 to the redundancy (\(runs)), got \(quorum)")
            }
        }
        for (key, value) in labels {
            guard LabelRules.isValidKey(key) else {
                throw JobSpecError(field: "labels", reason: "has a bad key '\(key)': use letters, digits, '_', '-', '.' (1-64)")
            }
            guard value.utf8.count <= 256 else {
                throw JobSpecError(field: "labels.\(key)", reason: "is longer than 256 bytes")
            }
        }
        for (field, text) in [("requirements", requirements), ("rank", rank)] {
            guard let text else { continue }
            do {
                _ = try MatchExpression(parsing: text)
            } catch {
                throw JobSpecError(field: field, reason: "is not a valid expression: \(error.summary)\n\(error.caretDisplay)")
            }
        }
        return range
    }
}
