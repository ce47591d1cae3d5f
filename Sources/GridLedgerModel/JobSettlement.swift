import GridCore

/// The credit history of one job: its escrow and, once settled, its payments and refund.
///
/// A job run once pays at most one worker; a job run on several workers for a quorum pays each worker whose output
/// agreed, at most once each.
public struct JobSettlement: Hashable, Sendable {
    /// The peer that paid the escrow, and the only peer a refund may go to.
    public let submitter: PeerID
    /// Credits placed in escrow at submission.
    public let escrowed: Int64
    /// Credits paid to workers in all, if any payment was made.
    public internal(set) var paid: Int64?
    /// Credits refunded to the submitter, if a refund was made.
    public internal(set) var refunded: Int64?
    /// The workers paid, in the order they were paid.
    public internal(set) var payees: [PeerID]

    public init(submitter: PeerID, escrowed: Int64, paid: Int64? = nil, refunded: Int64? = nil, payees: [PeerID] = []) {
        self.submitter = submitter
        self.escrowed = escrowed
        self.paid = paid
        self.refunded = refunded
        self.payees = payees
    }

    /// Credits that left the escrow so far.
    public var settled: Int64 { (paid ?? 0) + (refunded ?? 0) }

    /// Credits still held in the escrow.
    public var remaining: Int64 { escrowed - settled }
}
