import GridCore

extension EntryBody {
    /// True for a transfer: a grant entry whose credits come from a peer's account instead of the mint, moved by
    /// the operator (docs/ledger.md, "Grants and transfers").
    public var isTransfer: Bool {
        kind == .grant && from.peer != nil
    }

    /// The kind as people read it: "transfer" for a transfer, else the kind's name.
    public var kindName: String {
        isTransfer ? "transfer" : kind.rawValue
    }
}
