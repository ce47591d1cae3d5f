/// How one attempt of a job on a worker ended.
public enum AttemptOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    /// The worker returned an output.
    case succeeded
    /// The plugin reported a failure (bad input, an error, its own timeout, an output over the limit).
    case failed
    /// The plugin's runner died (a signal, an exit, its memory limit).
    case crashed
    /// The worker did not answer before its lease ran out.
    case timedOut = "timed out"
    /// The worker disconnected, or the matchmaker stopped, while it ran.
    case lost
}
