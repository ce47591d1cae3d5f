import GridCore

/// A request the matchmaker refuses, or a store it cannot use.
public struct MatchmakerError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case unknownJob(JobID)
        case jobIDTaken(JobID)
        case corruptRow(String)
        case badRequest(String)
        case alreadyFinal(JobID, JobStatus)
        case tooManyJobsInFlight(limit: Int)
        case ledgerRefused(path: String, failure: String)
    }

    private let code: Code

    public static func unknownJob(_ id: JobID) -> MatchmakerError { MatchmakerError(code: .unknownJob(id)) }
    public static func jobIDTaken(_ id: JobID) -> MatchmakerError { MatchmakerError(code: .jobIDTaken(id)) }
    public static func corruptRow(_ id: JobID) -> MatchmakerError { MatchmakerError(code: .corruptRow(id.rawValue)) }
    public static func corruptRow(_ id: String) -> MatchmakerError { MatchmakerError(code: .corruptRow(id)) }
    public static func badRequest(_ reason: String) -> MatchmakerError { MatchmakerError(code: .badRequest(reason)) }
    /// The job was already settled; settling it again would pay or refund twice.
    public static func alreadyFinal(_ id: JobID, _ status: JobStatus) -> MatchmakerError {
        MatchmakerError(code: .alreadyFinal(id, status))
    }

    /// The submitter already has `limit` jobs not yet settled.
    public static func tooManyJobsInFlight(limit: Int) -> MatchmakerError {
        MatchmakerError(code: .tooManyJobsInFlight(limit: limit))
    }

    /// The ledger in the file at `path` failed the check the matchmaker runs before it serves.
    public static func ledgerRefused(path: String, failure: String) -> MatchmakerError {
        MatchmakerError(code: .ledgerRefused(path: path, failure: failure))
    }

    /// True for `jobIDTaken`: another submitter's job has this id.
    public var isJobIDTaken: Bool {
        if case .jobIDTaken = code { return true }
        return false
    }

    /// True for `alreadyFinal`: the job needs nothing more.
    public var isAlreadyFinal: Bool {
        if case .alreadyFinal = code { return true }
        return false
    }

    public var description: String {
        switch code {
        case .unknownJob(let id): return "There is no job \(id)."
        case .jobIDTaken(let id): return "Job id \(id) is already used by another submitter."
        case .corruptRow(let id): return "The stored row of job \(id) is corrupt."
        case .badRequest(let reason): return "The request was refused: \(reason)."
        case .alreadyFinal(let id, let status):
            return "Job \(id) has already \(status.rawValue); it is settled only once."
        case .tooManyJobsInFlight(let limit):
            return "You already have \(limit) jobs queued or running, the most this matchmaker takes from one "
                + "submitter; submit more when some have finished."
        case .ledgerRefused(let path, let failure):
            return "The ledger in \(path) failed its check, so the matchmaker will neither serve from it nor write to "
                + "it. \(failure) Restore the file from a backup or a replica; `grid ledger verify` re-checks it."
        }
    }
}
