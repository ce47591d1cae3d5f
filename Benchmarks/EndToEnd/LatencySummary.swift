/// Percentiles of a set of durations, nearest-rank.
struct LatencySummary {
    private let sorted: [Duration]

    init(_ samples: [Duration]) {
        sorted = samples.sorted()
    }

    /// The `p`-th percentile (0 < p ≤ 100), in microseconds.
    func micros(_ p: Double) -> Int {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        let value = sorted[min(max(rank, 0), sorted.count - 1)]
        return Int(value.components.seconds * 1_000_000 + value.components.attoseconds / 1_000_000_000_000)
    }
}
