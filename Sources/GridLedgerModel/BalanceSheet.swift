import GridCore

/// Balances and job settlements derived from entries, with the rules that decide whether the next entry is allowed.
///
/// A pure value: `apply(_:operator:)` either refuses an entry with a `LedgerError` naming the rule and leaves the
/// sheet unchanged, or books it. Replaying a ledger's entries from an empty sheet gives its balances.
public struct BalanceSheet: Hashable, Sendable {
    /// Every account any applied entry touched, with its balance (the mint's is minus what it granted).
    public private(set) var balances: [Account: Int64]
    /// Every job with an escrow, by job id.
    public private(set) var jobs: [String: JobSettlement]

    /// An empty sheet: no credits anywhere.
    public init() {
        self.init(balances: [:], jobs: [:])
    }

    /// A sheet starting from known balances and jobs (a part of a larger ledger, as the store loads it).
    package init(balances: [Account: Int64], jobs: [String: JobSettlement]) {
        self.balances = balances
        self.jobs = jobs
    }

    /// Sets a known starting balance (used by the store to load part of its cache).
    package mutating func seed(_ account: Account, balance: Int64) {
        balances[account] = balance
    }

    /// Sets a known job state (used by the store to load part of its cache).
    package mutating func seed(job: String, _ settlement: JobSettlement) {
        jobs[job] = settlement
    }

    /// The balance of `account`; zero for an account no entry touched.
    public func balance(of account: Account) -> Int64 {
        balances[account] ?? 0
    }

    /// Books `body` if every credit rule allows it, or throws the first rule it breaks and changes nothing.
    ///
    /// Rules, in the order checked: the accounts fit the kind (`CreditRules.checkShape`); the author is the one
    /// the kind requires (`CreditRules.checkAuthor`); a job has exactly one escrow, at most one payment per worker
    /// and at most one refund, whose sum never exceeds the escrow; a refund goes to the job's submitter; a result
    /// names a job with an escrow and moves nothing; no account except the mint goes below zero; no balance
    /// overflows.
    public mutating func apply(_ body: EntryBody, operator operatorID: PeerID) throws(LedgerError) {
        try CreditRules.checkShape(body)
        try CreditRules.checkAuthor(body, operator: operatorID)
        // Each account and job is looked up once and then written through its index (a write through an index
        // hashes nothing; a replay makes millions of them).
        var job: (id: String, settlement: JobSettlement, index: Dictionary<String, JobSettlement>.Index?)?
        switch body.kind {
        case .grant:
            break
        case .escrow:
            // checkShape guarantees a peer `from` and an escrow `to`.
            guard let id = body.to.job, let submitter = body.from.peer else { throw Self.shapeError(body) }
            guard jobs.index(forKey: id) == nil else { throw .duplicateEscrow(job: id) }
            job = (id, JobSettlement(submitter: submitter, escrowed: body.amount), nil)
        case .result:
            guard let id = body.from.job else { throw Self.shapeError(body) }
            guard jobs.index(forKey: id) != nil else { throw .noEscrow(job: id, kind: body.kind) }
            return
        case .payment, .refund:
            guard let id = body.from.job else { throw Self.shapeError(body) }
            guard let index = jobs.index(forKey: id) else { throw .noEscrow(job: id, kind: body.kind) }
            var settlement = jobs.values[index]
            if body.kind == .refund {
                guard settlement.refunded == nil else { throw .duplicateSettlement(job: id, kind: body.kind) }
            } else if let payee = body.to.peer, settlement.payees.contains(payee) {
                throw .duplicatePayment(job: id, worker: payee)
            }
            guard body.amount <= settlement.remaining else {
                throw .settlementExceedsEscrow(
                    job: id, escrowed: settlement.escrowed, settled: settlement.settled, amount: body.amount,
                    kind: body.kind)
            }
            if body.kind == .refund {
                guard body.to == .peer(settlement.submitter) else {
                    throw .refundToWrongPeer(job: id, submitter: settlement.submitter, to: body.to)
                }
                settlement.refunded = body.amount
            } else {
                settlement.paid = (settlement.paid ?? 0) + body.amount
                if let payee = body.to.peer { settlement.payees.append(payee) }
            }
            job = (id, settlement, index)
        }
        let fromIndex = balances.index(forKey: body.from)
        let fromBalance = fromIndex.map { balances.values[$0] } ?? 0
        if body.from != .mint, fromBalance < body.amount {
            throw .insufficientCredits(body.from, balance: fromBalance, amount: body.amount, kind: body.kind)
        }
        let (newFrom, fromOverflow) = fromBalance.subtractingReportingOverflow(body.amount)
        guard !fromOverflow else { throw .overflow(body.from) }
        let toIndex = balances.index(forKey: body.to)
        let (newTo, toOverflow) = (toIndex.map { balances.values[$0] } ?? 0).addingReportingOverflow(body.amount)
        guard !toOverflow else { throw .overflow(body.to) }

        // Writes through indices first: inserting a new key may move the others.
        if let fromIndex { balances.values[fromIndex] = newFrom }
        if let toIndex { balances.values[toIndex] = newTo }
        if fromIndex == nil { balances[body.from] = newFrom }
        if toIndex == nil { balances[body.to] = newTo }
        if let job {
            if let index = job.index {
                jobs.values[index] = job.settlement
            } else {
                jobs[job.id] = job.settlement
            }
        }
    }

    private static func shapeError(_ body: EntryBody) -> LedgerError {
        .wrongShape(body.kind, from: body.from, to: body.to, rule: "between the accounts its kind requires")
    }

    /// The sheet after applying `bodies` in order from an empty sheet, or the first refusal.
    public static func replaying(
        _ bodies: some Sequence<EntryBody>, operator operatorID: PeerID
    ) throws(LedgerError) -> BalanceSheet {
        var sheet = BalanceSheet()
        for body in bodies {
            try sheet.apply(body, operator: operatorID)
        }
        return sheet
    }
}
