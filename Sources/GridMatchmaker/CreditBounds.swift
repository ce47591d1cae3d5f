import GridCore

/// What the matchmaker knows for certain about each submitter's credits: a lower bound on what it can still escrow.
///
/// A job may be placed before its escrow is durable only when that escrow cannot be refused for want of credits
/// (docs/scheduling.md, "Placed before the escrow commits"). A submitter's balance falls only through its own escrows,
/// and every escrow passes through here: the balance the store reported after the latest escrow it committed, less
/// every escrow handed to the store since and not yet finished, is never more than what the store will find.
/// Grants, refunds and payments only raise the balance, so missing them keeps the bound safe.
///
/// A submitter whose early placement was voided (the id was stored before, or the store refused it) is barred from
/// early placement for as long as the matchmaker runs, so a misbehaving client costs the workers at most one run each.
struct CreditBounds {
    /// A balance the store reported, with the ledger position it was read at.
    struct Reported: Equatable, Sendable {
        var balance: Int64
        /// The sequence number of the escrow it was read after; a report older than the one held is ignored.
        var seq: Int64
    }

    private var reported: [PeerID: Reported] = [:]
    /// Escrows handed to the store and not yet finished (committed or refused), by submitter.
    private var pending: [PeerID: Int64] = [:]
    private(set) var barred: Set<PeerID> = []

    /// Whether an escrow of `amount` by `submitter`, not yet handed to the store, is certain to be covered.
    func covers(_ amount: Int, for submitter: PeerID) -> Bool {
        guard amount > 0, !barred.contains(submitter), let known = reported[submitter] else { return false }
        return known.balance - pending[submitter, default: 0] >= Int64(amount)
    }

    /// An escrow of `amount` was handed to the store.
    mutating func handed(_ amount: Int, by submitter: PeerID) {
        pending[submitter, default: 0] += Int64(amount)
    }

    /// An escrow handed to the store finished: committed, with the balance read after it (`nil` when nothing was
    /// escrowed: refused, or the job was stored before).
    mutating func finished(_ amount: Int, by submitter: PeerID, reporting balance: Reported?) {
        let left = pending[submitter, default: 0] - Int64(amount)
        pending[submitter] = left > 0 ? left : nil
        guard let balance else { return }
        if let known = reported[submitter], known.seq >= balance.seq { return }
        reported[submitter] = balance
    }

    /// No more early placement for `submitter`.
    mutating func bar(_ submitter: PeerID) {
        barred.insert(submitter)
        reported[submitter] = nil
    }

    /// Submitters with a reported balance (for tests).
    var count: Int { reported.count }
}
