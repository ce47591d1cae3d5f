import Foundation

/// Every message of the PeerGrid protocol, carried as JSON inside encrypted frames.
///
/// The envelope is `{"v": 1, "type": "...", "body": {...}}`; a peer answers an unknown version or type with
/// `.failure` naming it.
public enum Message: Sendable, Hashable {
    // Worker → matchmaker
    case register(WorkerAd)
    case outcome(JobOutcome)
    /// A registered worker's new ad (a plugin was quarantined); replaces the one it registered with.
    case advertise(WorkerAd)
    /// "Still here": keeps a registered worker's idle connection open (the matchmaker closes idle ones).
    case heartbeat
    // Matchmaker → worker
    case registered(grantedCredits: Int)
    case assign(Assignment)
    // Client → matchmaker
    case submit(Submission)
    case status(JobID)
    /// Waits until the job is final or `timeoutMillis` pass, then answers `.job`.
    case wait(JobID, timeoutMillis: Int)
    /// Withdraws a queued job of the sender's and refunds it; answers `.job`.
    case cancel(JobID)
    case listJobs
    case listPeers
    case balance(PeerID)
    // Matchmaker → client
    case job(JobRecord)
    case jobs([JobRecord])
    case peers([PeerInfo])
    case credits(Int)
    /// A request that could not be served, with a sentence saying why.
    case failure(String)
}
