import Foundation

/// A job handed to a worker.
public struct Assignment: Hashable, Sendable, Codable {
    public var job: JobID
    public var attempt: Int
    public var capability: String
    public var input: Data
    public var timeoutSeconds: Int

    public init(job: JobID, attempt: Int, capability: String, input: Data, timeoutSeconds: Int) {
        self.job = job
        self.attempt = attempt
        self.capability = capability
        self.input = input
        self.timeoutSeconds = timeoutSeconds
    }
}
