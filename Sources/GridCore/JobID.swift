/// A job's identifier, chosen by the submitter: 1 to 64 characters of `[a-z0-9-]`. The client makes them
/// time-ordered (`init(millis:randomBytes:)`).
public struct JobID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Accepts 1 to 64 characters of `[a-z0-9-]`; nil for anything else.
    public init?(_ rawValue: String) {
        guard (1...64).contains(rawValue.utf8.count),
              rawValue.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d })
        else { return nil }
        self.rawValue = rawValue
    }

    /// The id of run `run` (1, 2, …) of a job that several workers run for a quorum: `<job>~<run>`.
    ///
    /// Run ids exist between the matchmaker and its workers only: a worker runs `abc~2` like any job, and the
    /// matchmaker counts its output towards job `abc`'s quorum. A client can never submit one (`isRun`).
    public init(run: Int, of job: JobID) {
        self.rawValue = job.parentJob.rawValue + "~" + String(run)
    }

    /// Whether this is the id of one run of a redundant job.
    public var isRun: Bool { rawValue.utf8.contains(0x7e) }

    /// The job a run belongs to (the id itself for a job).
    public var parentJob: JobID {
        guard let tilde = rawValue.firstIndex(of: "~") else { return self }
        return JobID(unchecked: String(rawValue[..<tilde]))
    }

    /// The run number of a run id, or nil for a job id.
    public var runNumber: Int? {
        guard let tilde = rawValue.firstIndex(of: "~") else { return nil }
        return Int(rawValue[rawValue.index(after: tilde)...])
    }

    private init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// A job id, or a run id `<job id>~<1 to 99>` (as assignments and outcomes carry them); nil for anything else.
    public init?(wire rawValue: String) {
        if let id = JobID(rawValue) {
            self = id
            return
        }
        let parts = rawValue.split(separator: "~", omittingEmptySubsequences: false)
        guard parts.count == 2, let job = JobID(String(parts[0])), let run = Int(parts[1]), (1...99).contains(run),
              String(run) == parts[1] else { return nil }
        self.init(run: run, of: job)
    }

    /// An id made of the caller's random bytes in hex (GridCore does no I/O); the client uses time-ordered ids.
    public init(randomBytes: [UInt8]) {
        self.rawValue = Hex.encode(randomBytes)
    }

    /// A fresh time-ordered id: the submission time in milliseconds since 1970 as 12 hex digits, then the random
    /// bytes supplied by the caller in hex (24 digits in all with the client's 6).
    ///
    /// Ids made later sort later, so the matchmaker's tables and indexes keyed by job id grow at their right edge
    /// instead of at random pages: a group commit of many new jobs writes a few pages per table, not one per job.
    /// Uniqueness comes from the random part, as before (48 random bits per millisecond).
    public init(millis: Int64, randomBytes: [UInt8]) {
        let time = UInt64(clamping: max(0, millis)) & 0xFFFF_FFFF_FFFF
        let timeBytes = (0..<6).reversed().map { UInt8(truncatingIfNeeded: time >> (8 * UInt64($0))) }
        self.rawValue = Hex.encode(timeBytes + randomBytes)
    }

    public var description: String { rawValue }

    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = JobID(wire: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a job id is 1 to 64 characters of a-z, 0-9 and '-'")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
