/// A worker's record on this grid: how its attempts ended, as the matchmaker counted them.
///
/// Kept by the matchmaker across the worker's connections and restarts, shown by `grid peers`, and visible to
/// expressions under `worker.` (`worker.disagreements == 0`, `rank: -worker.failure_rate`; docs/expressions.md).
public struct WorkerStanding: Hashable, Sendable, Codable {
    /// Attempts whose output became the job's result (alone, or as part of a quorum).
    public var done: Int
    /// Attempts that failed: the plugin reported an error, or the output was refused.
    public var failed: Int
    /// Attempts the worker did not answer before the lease ran out.
    public var timedOut: Int
    /// Attempts during which the plugin's runner died.
    public var crashed: Int
    /// Attempts whose output differed from the one a quorum agreed on (or when no quorum formed).
    public var disagreed: Int

    /// How an attempt ended, for the count it adds to.
    public enum Event: String, Sendable, Hashable, CaseIterable {
        case done, failed, timedOut, crashed, disagreed
    }

    public init(done: Int = 0, failed: Int = 0, timedOut: Int = 0, crashed: Int = 0, disagreed: Int = 0) {
        self.done = done
        self.failed = failed
        self.timedOut = timedOut
        self.crashed = crashed
        self.disagreed = disagreed
    }

    /// Every attempt counted.
    public var attempts: Int { done + failed + timedOut + crashed + disagreed }

    /// The share of counted attempts that did not end in an accepted output, from 0 to 1 (0 with none counted).
    public var failureRate: Double {
        attempts == 0 ? 0 : Double(attempts - done) / Double(attempts)
    }

    /// Adds one attempt that ended as `event`.
    public mutating func record(_ event: Event) {
        switch event {
        case .done: done += 1
        case .failed: failed += 1
        case .timedOut: timedOut += 1
        case .crashed: crashed += 1
        case .disagreed: disagreed += 1
        }
    }

    /// The count `event` adds to.
    public func count(of event: Event) -> Int {
        switch event {
        case .done: return done
        case .failed: return failed
        case .timedOut: return timedOut
        case .crashed: return crashed
        case .disagreed: return disagreed
        }
    }
}
