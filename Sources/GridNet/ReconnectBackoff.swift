/// How long a peer waits before trying to reach another again (a worker, its matchmaker): `initial` after a session
/// ends, doubling with each attempt that fails to reach it, up to `maximum`, and back to `initial` once one gets
/// through.
public struct ReconnectBackoff: Sendable, Hashable {
    public let initial: Duration
    public let maximum: Duration
    /// Attempts in a row that did not reach the matchmaker.
    public private(set) var failures = 0

    public init(initial: Duration, maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// An attempt did not reach the matchmaker: returns how long to wait before the next one.
    public mutating func failed() -> Duration {
        failures += 1
        var delay = initial
        for _ in 1..<min(failures, 32) where delay < maximum {
            delay *= 2
        }
        return min(delay, maximum)
    }

    /// An attempt reached the matchmaker (and the session has since ended): returns the delay before reconnecting.
    public mutating func reached() -> Duration {
        failures = 0
        return initial
    }
}
