/// Where a job is in its life.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    /// Stored and waiting for a worker that offers its capability.
    case queued
    /// Leased to a worker.
    case running
    /// Finished with a result; the worker was paid.
    case succeeded
    /// Finished without a result; the escrow was refunded.
    case failed
    /// Withdrawn by its submitter before it ran; the escrow was refunded.
    case cancelled

    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}
