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

    public init(job: JobID, attempt: Int, output: Data?, error: String?, cpuMillis: Int, pluginHash: String?) {
        self.job = job
        self.attempt = attempt
        self.output = output
        self.error = error
        self.cpuMillis = cpuMillis
        self.pluginHash = pluginHash
    }
}
