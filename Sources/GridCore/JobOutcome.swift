import Foundation

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
    /// The plugin that ran the job, its version, and the version of the capability it ran (recorded in the
    /// ledger's result entry; absent from workers that predate them).
    public var plugin: String?
    public var pluginVersion: String?
    public var capabilityVersion: String?
    /// True when another worker might succeed (a timeout, a plugin failure); false when the job itself is at fault
    /// (bad input, an output over the limit). Absent means false.
    public var retryable: Bool?
    /// True when the plugin's runner died during the attempt (a signal, an exit, its memory limit): the matchmaker
    /// fails a job whose input crashed runners on two different workers as a likely poison input. Absent means false.
    public var crashed: Bool?

    public init(job: JobID, attempt: Int, output: Data?, error: String?, cpuMillis: Int, pluginHash: String?,
                retryable: Bool = false, crashed: Bool = false, plugin: String? = nil, pluginVersion: String? = nil,
                capabilityVersion: String? = nil) {
        self.job = job
        self.attempt = attempt
        self.output = output
        self.error = error
        self.cpuMillis = cpuMillis
        self.pluginHash = pluginHash
        self.retryable = retryable
        self.crashed = crashed ? true : nil
        self.plugin = plugin
        self.pluginVersion = pluginVersion
        self.capabilityVersion = capabilityVersion
    }

    /// Whether the plugin's runner died during the attempt.
    public var isCrash: Bool { output == nil && crashed == true }

    /// Whether the matchmaker should try the job on another worker.
    public var isRetryable: Bool { output == nil && retryable == true }
}
