import GridCore

extension EntryBody {
    /// The escrow a submitter signs for job `job`: `amount` credits from its account to the job's escrow account.
    ///
    /// The one construction of an escrow body: the client signs it and the matchmaker rebuilds it from the
    /// submission to check the signature, so both must produce the same bytes.
    public static func escrow(job: String, amount: Int64, submitter: PeerID, timestamp: Int64) throws(LedgerError)
        -> EntryBody {
        try EntryBody(kind: .escrow, from: .peer(submitter), to: .escrow(job: job), amount: amount, job: job,
                      author: submitter, timestamp: timestamp, memo: nil)
    }
}
