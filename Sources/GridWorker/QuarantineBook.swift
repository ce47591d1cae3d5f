import GridCore

/// Which plugins crashed their runners how often lately, and which are quarantined: pure, time passed in.
///
/// A plugin whose runners crash `policy.crashes` times within `policy.window` is withdrawn from the worker's ad
/// until the worker restarts, whatever the inputs were: one poison input is the matchmaker's business, a plugin
/// that keeps crashing is the worker's.
public struct QuarantineBook: Sendable {
    public struct Policy: Sendable, Hashable {
        /// Crashes within `window` that quarantine a plugin.
        public var crashes: Int = 5
        public var window: Duration = .seconds(60)

        public init(crashes: Int = 5, window: Duration = .seconds(60)) {
            self.crashes = crashes
            self.window = window
        }
    }

    public let policy: Policy
    private var recentCrashes: [String: [ContinuousClock.Instant]] = [:]
    /// Quarantined plugins by name.
    public private(set) var quarantined: [String: QuarantinedPlugin] = [:]

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Records a crash of `plugin`'s runner; returns the quarantine entry when this crash put it in quarantine.
    public mutating func recordCrash(
        plugin: String, capabilities: [String], lastReason: String, now: ContinuousClock.Instant, unixMillis: Int64
    ) -> QuarantinedPlugin? {
        guard quarantined[plugin] == nil else { return nil }
        var times = recentCrashes[plugin, default: []].filter { now - $0 < policy.window }
        times.append(now)
        recentCrashes[plugin] = times
        guard times.count >= policy.crashes else { return nil }
        let entry = QuarantinedPlugin(
            plugin: plugin, capabilities: capabilities.sorted(),
            reason: "its runners crashed \(times.count) times within \(Self.seconds(policy.window)); the last time: "
                + lastReason,
            since: unixMillis)
        quarantined[plugin] = entry
        recentCrashes[plugin] = nil
        return entry
    }

    /// Whether `plugin` is quarantined.
    public func isQuarantined(_ plugin: String) -> Bool {
        quarantined[plugin] != nil
    }

    private static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }
}
