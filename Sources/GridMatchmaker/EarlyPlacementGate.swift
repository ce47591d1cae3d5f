import GridCore

/// Which submitters' jobs may be placed before their escrow is durable (docs/scheduling.md, "Placed before the escrow
/// commits"): only those whose escrow the store cannot refuse for want of credits, and only a few at a time.
///
/// **Credits.** A lower bound on what each submitter can still escrow: the balance the store reported after the
/// submitter's latest committed escrow, less every escrow of theirs handed to the store since and not yet finished.
/// Within the matchmaker a balance falls only through its owner's escrows, which all pass through here; grants,
/// refunds and payments only raise it, so missing them keeps the bound safe. An operator's `grid ledger transfer` out
/// of a peer's account, made while the matchmaker runs, is the one way around it: the store then refuses the escrow as
/// it always did, the early run is discarded, and `forget` makes that submitter wait for a commit again.
///
/// **Waste.** A job placed early whose id turns out stored before (resent after it finished, or another submitter's)
/// runs for nothing. At most `limit` of a submitter's jobs are placed early and not yet confirmed by the store, and a
/// submitter that had one voided for its id is `bar`red from early placement for as long as the matchmaker runs, so a
/// misbehaving client costs the workers at most `limit` runs.
struct EarlyPlacementGate {
    /// A balance the store reported, with the ledger position it was read at.
    struct Reported: Equatable, Sendable {
        var balance: Int64
        /// The sequence number of the escrow it was read after; a report older than the one held is ignored.
        var seq: Int64
    }

    /// How many of one submitter's jobs may be placed early and not yet confirmed at once.
    let limit: Int
    private var reported: [PeerID: Reported] = [:]
    /// Escrows handed to the store and not yet finished (committed or refused), by submitter.
    private var pending: [PeerID: Int64] = [:]
    /// Jobs placed early and not yet confirmed or voided, by submitter.
    private var unconfirmed: [PeerID: Int] = [:]
    private(set) var barred: Set<PeerID> = []

    init(limit: Int = 16) {
        self.limit = limit
    }

    /// Whether a job of `submitter`'s escrowing `amount`, not yet handed to the store, may be placed early.
    func allows(_ amount: Int, for submitter: PeerID) -> Bool {
        guard amount > 0, !barred.contains(submitter), unconfirmed[submitter, default: 0] < limit,
              let known = reported[submitter] else { return false }
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
        guard let balance, !barred.contains(submitter) else { return }
        if let known = reported[submitter], known.seq >= balance.seq { return }
        reported[submitter] = balance
    }

    /// A job of `submitter`'s was placed early.
    mutating func placed(by submitter: PeerID) {
        unconfirmed[submitter, default: 0] += 1
    }

    /// A job of `submitter`'s placed early was confirmed or voided.
    mutating func resolved(by submitter: PeerID) {
        let left = unconfirmed[submitter, default: 0] - 1
        unconfirmed[submitter] = left > 0 ? left : nil
    }

    /// No more early placement for `submitter`.
    mutating func bar(_ submitter: PeerID) {
        barred.insert(submitter)
        reported[submitter] = nil
    }

    /// The bound of `submitter`'s credits is in doubt (the store refused an escrow it covered): the next job waits for
    /// its commit, which reports the balance again.
    mutating func forget(_ submitter: PeerID) {
        reported[submitter] = nil
    }
}
