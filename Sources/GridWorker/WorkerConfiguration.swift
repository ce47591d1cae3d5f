import GridCore
import GridNet

/// How a worker runs. Flags are read by the CLI, which fills this in.
public struct WorkerConfiguration: Sendable {
    public var matchmakerHost: String = "127.0.0.1"
    public var matchmakerPort: Int = 7700
    /// When set, the worker only talks to a matchmaker that proves this identity.
    public var matchmakerID: PeerID?
    /// The folder whose `*.so` plugins are loaded.
    public var pluginDirectory: String
    public var slots: Int = 1
    public var labels: [String: String] = [:]
    /// An expression the job and submitter must satisfy (see docs/expressions.md).
    public var accept: String?
    public var network = NetConfiguration()
    /// When a plugin whose runners keep crashing is withdrawn from the ad.
    public var quarantine = QuarantineBook.Policy()
    /// How long to wait before reconnecting after the matchmaker goes away.
    public var reconnectDelay: Duration = .seconds(1)
    /// How often a registered worker sends a heartbeat, so the matchmaker does not close its connection as idle;
    /// well under the matchmaker's idle timeout (120 s by default).
    public var heartbeatInterval: Duration = .seconds(30)

    public init(pluginDirectory: String) {
        self.pluginDirectory = pluginDirectory
    }
}
