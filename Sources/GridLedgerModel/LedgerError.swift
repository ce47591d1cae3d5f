import GridCore

/// Why the ledger refused an entry, could not decode bytes, or could not open a file.
public struct LedgerError: Error, CustomStringConvertible, Sendable, Equatable {
    private indirect enum Code: Sendable, Equatable {
        case invalidAccount(text: String, reason: String)
        case invalidField(name: String, reason: String)
        case malformedEncoding(reason: String)
        case unsupportedVersion(UInt8)
        case wrongSigner(author: PeerID, signer: PeerID)
        case badSignature(author: PeerID)
        case wrongAuthor(kind: EntryKind, expected: String, got: PeerID)
        case wrongShape(kind: EntryKind, from: Account, to: Account, rule: String)
        case jobMismatch(kind: EntryKind, job: String?, account: Account)
        case insufficientCredits(account: Account, balance: Int64, amount: Int64, kind: EntryKind)
        case duplicateEscrow(job: String)
        case noEscrow(job: String, kind: EntryKind)
        case duplicateSettlement(job: String, kind: EntryKind)
        case duplicatePayment(job: String, worker: PeerID)
        case settlementExceedsEscrow(job: String, escrowed: Int64, settled: Int64, amount: Int64, kind: EntryKind)
        case refundToWrongPeer(job: String, submitter: PeerID, to: Account)
        case overflow(account: Account)
        case operatorMismatch(stored: PeerID, given: PeerID)
        case notALedger(path: String, reason: String)
        case corruptRow(seq: Int64, reason: String)
        case corruptMeta(reason: String)
        case invalidArgument(name: String, reason: String)
        case refusedInBatch(index: Int, count: Int, reason: LedgerError)
    }

    private let code: Code

    package static func invalidAccount(_ text: String, reason: String) -> LedgerError {
        LedgerError(code: .invalidAccount(text: text, reason: reason))
    }
    package static func invalidField(_ name: String, reason: String) -> LedgerError {
        LedgerError(code: .invalidField(name: name, reason: reason))
    }
    package static func malformedEncoding(_ reason: String) -> LedgerError {
        LedgerError(code: .malformedEncoding(reason: reason))
    }
    package static func unsupportedVersion(_ version: UInt8) -> LedgerError {
        LedgerError(code: .unsupportedVersion(version))
    }
    package static func wrongSigner(author: PeerID, signer: PeerID) -> LedgerError {
        LedgerError(code: .wrongSigner(author: author, signer: signer))
    }
    package static func badSignature(author: PeerID) -> LedgerError {
        LedgerError(code: .badSignature(author: author))
    }
    package static func wrongAuthor(_ kind: EntryKind, expected: String, got: PeerID) -> LedgerError {
        LedgerError(code: .wrongAuthor(kind: kind, expected: expected, got: got))
    }
    package static func wrongShape(_ kind: EntryKind, from: Account, to: Account, rule: String) -> LedgerError {
        LedgerError(code: .wrongShape(kind: kind, from: from, to: to, rule: rule))
    }
    package static func jobMismatch(_ kind: EntryKind, job: String?, account: Account) -> LedgerError {
        LedgerError(code: .jobMismatch(kind: kind, job: job, account: account))
    }
    package static func insufficientCredits(_ account: Account, balance: Int64, amount: Int64, kind: EntryKind) -> LedgerError {
        LedgerError(code: .insufficientCredits(account: account, balance: balance, amount: amount, kind: kind))
    }
    package static func duplicateEscrow(job: String) -> LedgerError {
        LedgerError(code: .duplicateEscrow(job: job))
    }
    package static func noEscrow(job: String, kind: EntryKind) -> LedgerError {
        LedgerError(code: .noEscrow(job: job, kind: kind))
    }
    package static func duplicateSettlement(job: String, kind: EntryKind) -> LedgerError {
        LedgerError(code: .duplicateSettlement(job: job, kind: kind))
    }
    package static func duplicatePayment(job: String, worker: PeerID) -> LedgerError {
        LedgerError(code: .duplicatePayment(job: job, worker: worker))
    }
    package static func settlementExceedsEscrow(
        job: String, escrowed: Int64, settled: Int64, amount: Int64, kind: EntryKind
    ) -> LedgerError {
        LedgerError(code: .settlementExceedsEscrow(
            job: job, escrowed: escrowed, settled: settled, amount: amount, kind: kind))
    }
    package static func refundToWrongPeer(job: String, submitter: PeerID, to: Account) -> LedgerError {
        LedgerError(code: .refundToWrongPeer(job: job, submitter: submitter, to: to))
    }
    package static func overflow(_ account: Account) -> LedgerError {
        LedgerError(code: .overflow(account: account))
    }
    package static func operatorMismatch(stored: PeerID, given: PeerID) -> LedgerError {
        LedgerError(code: .operatorMismatch(stored: stored, given: given))
    }
    package static func notALedger(_ path: String, reason: String) -> LedgerError {
        LedgerError(code: .notALedger(path: path, reason: reason))
    }
    package static func corruptRow(seq: Int64, reason: String) -> LedgerError {
        LedgerError(code: .corruptRow(seq: seq, reason: reason))
    }
    package static func corruptMeta(_ reason: String) -> LedgerError {
        LedgerError(code: .corruptMeta(reason: reason))
    }
    package static func invalidArgument(_ name: String, reason: String) -> LedgerError {
        LedgerError(code: .invalidArgument(name: name, reason: reason))
    }
    package static func refusedInBatch(index: Int, count: Int, reason: LedgerError) -> LedgerError {
        LedgerError(code: .refusedInBatch(index: index, count: count, reason: reason))
    }

    /// The error for one entry of a batch, without the batch position; the error itself otherwise.
    public var underlying: LedgerError {
        if case .refusedInBatch(_, _, let reason) = code { return reason }
        return self
    }

    /// The index in the batch of the refused entry, when the error came from `append(contentsOf:)`.
    public var batchIndex: Int? {
        if case .refusedInBatch(let index, _, _) = code { return index }
        return nil
    }

    public var description: String {
        switch code {
        case .invalidAccount(let text, let reason):
            return "\"\(text)\" is not an account: \(reason)."
        case .invalidField(let name, let reason):
            return "The entry's \(name) is invalid: \(reason)."
        case .malformedEncoding(let reason):
            return "The entry bytes are malformed: \(reason)."
        case .unsupportedVersion(let version):
            return "The entry uses encoding version \(version); this ledger reads version "
                + "\(EntryBody.encodingVersion) only."
        case .wrongSigner(let author, let signer):
            return "Peer \(signer.short) cannot sign an entry authored by peer \(author.short)."
        case .badSignature(let author):
            return "The entry's signature is not a valid signature by its author, peer \(author.short)."
        case .wrongAuthor(let kind, let expected, let got):
            return "\(Self.capitalized(kind.withArticle)) must be authored by \(expected), not by peer \(got.short)."
        case .wrongShape(let kind, let from, let to, let rule):
            return "\(Self.capitalized(kind.withArticle)) must go \(rule); this one goes from \(from) to \(to)."
        case .jobMismatch(let kind, let job, let account):
            let named = job.map { "names job \($0)" } ?? "names no job"
            return "\(Self.capitalized(kind.withArticle)) must name the job of its escrow account \(account); "
                + "this one \(named)."
        case .insufficientCredits(let account, let balance, let amount, let kind):
            let verb: String
            switch kind {
            case .grant: verb = "transfer"  // only a transfer (a grant from a peer) can lack credits
            case .escrow: verb = "escrow"
            case .payment: verb = "pay"
            case .refund: verb = "refund"
            case .result: verb = "record"
            }
            return "\(Self.capitalized(account.shortName)) has \(balance) credits and cannot \(verb) \(amount)."
        case .duplicateEscrow(let job):
            return "Job \(job) already has an escrow; a job has exactly one."
        case .noEscrow(let job, let kind):
            return "Job \(job) has no escrow, so it cannot have \(kind.withArticle)."
        case .duplicateSettlement(let job, let kind):
            return "Job \(job) already has \(kind.withArticle); a job has at most one."
        case .duplicatePayment(let job, let worker):
            return "Job \(job) already paid worker \(worker.short); a worker is paid at most once per job."
        case .settlementExceedsEscrow(let job, let escrowed, let settled, let amount, let kind):
            return "\(Self.capitalized(kind.withArticle)) of \(amount) for job \(job) would settle "
                + "\(settled + amount) credits, "
                + "more than its escrow of \(escrowed) (\(settled) already settled)."
        case .refundToWrongPeer(let job, let submitter, let to):
            return "A refund for job \(job) must go to its submitter, peer \(submitter.short), not to \(to)."
        case .overflow(let account):
            return "The balance of \(account) would overflow a 64-bit integer."
        case .operatorMismatch(let stored, let given):
            return "This ledger is operated by peer \(stored.short), not by peer \(given.short)."
        case .notALedger(let path, let reason):
            return "\(path) is not a usable ledger: \(reason)."
        case .corruptRow(let seq, let reason):
            return "Ledger entry \(seq) is unreadable: \(reason)."
        case .corruptMeta(let reason):
            return "The ledger's metadata table is damaged: \(reason)."
        case .invalidArgument(let name, let reason):
            return "The \(name) is invalid: \(reason)."
        case .refusedInBatch(let index, let count, let reason):
            return "Entry \(index + 1) of \(count) in the batch was refused, so none were appended: \(reason)"
        }
    }

    private static func capitalized(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }
}
