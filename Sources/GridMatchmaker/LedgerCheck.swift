/// What the matchmaker checks of its ledger before it serves (`grid matchmaker --verify-ledger`).
public enum LedgerCheck: String, Sendable, Hashable, CaseIterable {
    /// Signatures and stored tree nodes from the checkpoint verified at the last start on; links, hashes, credit
    /// rules, every checkpoint's root and the balance caches over the whole file (docs/ledger.md, "Checked at start").
    case sinceVerified = "since-checkpoint"
    /// Everything, as `grid ledger verify` does.
    case full
}
