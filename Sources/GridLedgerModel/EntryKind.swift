/// What an entry does with credits.
public enum EntryKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// New credits from the mint to a peer, authored by the operator.
    case grant
    /// A submitter's credits set aside for one job at submission, authored by the submitter.
    case escrow
    /// Credits from a job's escrow to the worker that did it, authored by the operator.
    case payment
    /// Credits from a job's escrow back to its submitter, authored by the operator.
    case refund
    /// What one run of a job produced (no credits move), authored by the operator with the job's settlement.
    case result

    /// The byte that stands for this kind in the canonical encoding.
    public var code: UInt8 {
        switch self {
        case .grant: return 1
        case .escrow: return 2
        case .payment: return 3
        case .refund: return 4
        case .result: return 5
        }
    }

    /// The kind whose canonical byte is `code`, or nil.
    public init?(code: UInt8) {
        guard let kind = EntryKind.allCases.first(where: { $0.code == code }) else { return nil }
        self = kind
    }

    public var description: String { rawValue }

    /// The kind with its indefinite article, for messages: "a grant", "an escrow".
    var withArticle: String { self == .escrow ? "an escrow" : "a \(rawValue)" }

    /// Whether entries of this kind move credits (all but `result`).
    public var movesCredits: Bool { self != .result }
}
