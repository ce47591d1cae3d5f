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
    /// Many signed submissions in one frame (at most `Message.maxBatch`), answered by one `.submitted` with an
    /// answer per submission, in order. With `subscribe`, each accepted job is also followed as `.subscribe` does.
    case submitMany([Submission], subscribe: Bool)
    /// Follows jobs of the sender's: the matchmaker pushes `.result` on this connection once for each as it becomes
    /// final (at once for one already final), until the connection closes. Answers `.subscribed` with the count.
    case subscribe([JobID])
    /// Asks for ledger entries after seq `after`, the latest signed checkpoint, and a consistency proof from the
    /// checkpoint the asker trusts (`knownSize`); answered by `.ledgerPage` (docs/ledger.md, "Replicas").
    case ledgerPull(LedgerPull)
    /// Asks for the receipt of a job the sender submitted or was paid for; answered by `.receipt`.
    case ledgerReceipt(JobID)
    /// The sender's cosignature of a checkpoint its replica verified; answered by `.cosigned`.
    case cosign(LedgerCosignature)
    /// Why one of the sender's jobs waits, or what happened to its attempts (`grid explain`); answers `.explanation`.
    /// Only the job's submitter may ask.
    case explain(JobID)
    // Matchmaker → client
    case job(JobRecord)
    /// Entries, the latest checkpoint and a consistency proof, for a replica (`LedgerPage`).
    case ledgerPage(LedgerPage)
    /// A job's receipt, as the JSON `grid ledger prove` prints.
    case receipt(Data)
    /// The answer to `.cosign`: how many witnesses have now cosigned that checkpoint.
    case cosigned(Int)
    case jobs([JobRecord])
    case peers([PeerInfo])
    case credits(Int)
    /// The answer to `.submitMany`: one per submission, in the order they were sent.
    case submitted([SubmissionAnswer])
    /// The answer to `.subscribe`: how many jobs are now followed.
    case subscribed(Int)
    /// Pushed, not an answer: a followed job became final (succeeded, failed or cancelled).
    case result(JobRecord)
    /// The answer to `.explain`.
    case explanation(JobExplanation)
    /// A request that could not be served, with a sentence saying why.
    case failure(String)

    /// The most submissions one `.submitMany` or job ids one `.subscribe` may carry.
    public static let maxBatch = 10_000
}
