import GridCore
import GridMerkle

/// What the store's writer reports back to the matchmaker's actor once a queued write committed or failed.
enum StoreEvent: Sendable {
    /// The job's final state and its settlement are durable.
    case settled(JobRecord)
    /// A settlement could not be stored; the job must be placed again, its escrow still held.
    case settlementFailed(JobID, reason: String)
    /// The job had already been settled (a settlement raced another); nothing is left to do for it.
    case alreadySettled(JobID)
    /// A state change (running, queued) could not be stored.
    case writeFailed(JobID?, what: String, reason: String)
    /// A checkpoint was considered (and signed, when due).
    case checkpoint(Result<SignedCheckpoint?, any Error>)
}
