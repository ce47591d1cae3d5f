/// How the scheduler orders fitting workers: higher rank first, then lower price, then more free slots.
struct PlacementKey: Comparable {
    var rank: Double
    var cost: Int
    var free: Int

    /// `a < b` when `b` is the better placement.
    static func < (a: PlacementKey, b: PlacementKey) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        if a.cost != b.cost { return a.cost > b.cost }
        return a.free < b.free
    }
}
