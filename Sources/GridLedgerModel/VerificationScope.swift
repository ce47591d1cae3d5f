/// How much of a ledger a verification checks one signature at a time (docs/ledger.md, "Verification").
public enum VerificationScope: Hashable, Sendable, CustomStringConvertible {
    /// Every entry not covered by a valid operator checkpoint has its signature checked: what `grid ledger verify`
    /// and `grid matchmaker --verify-ledger full` do.
    case full
    /// As `full`, except that entries up to `size` (the size of a checkpoint verified before, recorded in
    /// `ledger_meta` by the matchmaker) are trusted to carry valid signatures and stored tree nodes, provided the
    /// checkpoint of that size is still valid and still matches the entries. Links, hashes, credit rules, every
    /// checkpoint's root and the caches are still checked in full.
    case since(Int64)

    public var description: String {
        switch self {
        case .full: return "full"
        case .since(let size): return "since checkpoint \(size)"
        }
    }
}
