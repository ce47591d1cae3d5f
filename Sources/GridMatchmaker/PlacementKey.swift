/// How the scheduler orders fitting workers: one the job has not failed on first, then higher rank, then lower
/// price, then more free slots.
struct PlacementKey: Comparable {
    var untried: Bool
    var rank: Double
    var cost: Int
    var free: Int

    /// `a < b` when `b` is the better placement.
    static func < (a: PlacementKey, b: PlacementKey) -> Bool {
        if a.untried != b.untried { return !a.untried }
        if a.rank != b.rank { return a.rank < b.rank }
        if a.cost != b.cost { return a.cost > b.cost }
        return a.free < b.free
    }
}
