import GridCore

/// A job not yet settled, as the matchmaker keeps it in memory: its decoded request and its submitter.
struct PendingJob: Sendable {
    var request: JobRequest
    var submitter: PeerID
}

