import GridCore

/// The stateless rules an entry must follow whatever the balances: which accounts fit its kind and who authors it.
///
/// The rules that depend on balances and on a job's history are in `BalanceSheet.apply(_:operator:)`.
public enum CreditRules {
    /// Checks that the accounts and the job field fit the entry's kind.
    ///
    /// - grant: from the mint to a peer, or from one peer to another (a transfer), naming no job.
    /// - escrow: from a peer to `escrow:J`, naming job J.
    /// - payment and refund: from `escrow:J` to a peer, naming job J.
    /// - result: from `escrow:J` to the peer whose run it records, or to `escrow:J` itself when no worker ran the
    ///   job, naming job J.
    public static func checkShape(_ body: EntryBody) throws(LedgerError) {
        switch body.kind {
        case .grant:
            guard body.from.job == nil, case .peer = body.to, body.from != body.to else {
                throw .wrongShape(.grant, from: body.from, to: body.to,
                                  rule: "from the mint to a peer, or (a transfer) from one peer to another")
            }
            if let job = body.job {
                throw .invalidField("job", reason: "a grant names no job, but this one names job \(job)")
            }
        case .escrow:
            guard case .peer = body.from, case .escrow(let job) = body.to else {
                throw .wrongShape(.escrow, from: body.from, to: body.to, rule: "from a peer to a job's escrow account")
            }
            guard body.job == job else {
                throw .jobMismatch(.escrow, job: body.job, account: body.to)
            }
        case .payment, .refund:
            guard case .escrow(let job) = body.from, case .peer = body.to else {
                throw .wrongShape(
                    body.kind, from: body.from, to: body.to, rule: "from a job's escrow account to a peer")
            }
            guard body.job == job else {
                throw .jobMismatch(body.kind, job: body.job, account: body.from)
            }
        case .result:
            guard case .escrow(let job) = body.from, body.to.peer != nil || body.to == body.from else {
                throw .wrongShape(.result, from: body.from, to: body.to,
                                  rule: "from a job's escrow account to the worker that ran it (or to the same escrow)")
            }
            guard body.job == job else {
                throw .jobMismatch(.result, job: body.job, account: body.from)
            }
        }
    }

    /// The peer that must author `body`: the operator for grants, payments, refunds and results; the payer for an
    /// escrow.
    ///
    /// Returns nil only for an escrow whose `from` is not a peer, which `checkShape` refuses.
    public static func requiredAuthor(of body: EntryBody, operator operatorID: PeerID) -> PeerID? {
        switch body.kind {
        case .grant, .payment, .refund, .result: return operatorID
        case .escrow: return body.from.peer
        }
    }

    /// Checks that `body.author` is the peer `requiredAuthor(of:operator:)` names.
    public static func checkAuthor(_ body: EntryBody, operator operatorID: PeerID) throws(LedgerError) {
        guard let required = requiredAuthor(of: body, operator: operatorID) else {
            throw .wrongShape(body.kind, from: body.from, to: body.to, rule: "from a peer to a job's escrow account")
        }
        guard body.author == required else {
            let expected = body.kind == .escrow
                ? "the peer paying it, peer \(required.short)" : "the ledger operator, peer \(required.short)"
            throw .wrongAuthor(body.kind, expected: expected, got: body.author)
        }
    }
}
